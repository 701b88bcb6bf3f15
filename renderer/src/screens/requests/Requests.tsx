import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { StatsBucketSize } from '../../../../common/nodeApi';
import { ResourceView } from '../../components/AsyncStates';
import { ScreenTitle } from '../../components/ScreenTitle';
import { usePolling } from '../../hooks/usePolling';
import { useStatus } from '../../stores/engineStores';
import { useStats } from '../../stores/statsStore';
import { RecentRequests } from './RecentRequests';
import { RequestCharts } from './RequestCharts';
import { RequestTotals } from './RequestTotals';

const BUCKETS: readonly StatsBucketSize[] = ['minute', 'hour', 'day'];
const REFRESH_MS = 3000;

/** Served requests: speed, latency, errors and rejections over time. No prompt content. */
export function Requests(): JSX.Element {
  const { t } = useTranslation();
  const stats = useStats();
  const totals = useStatus((state) => state.data?.stats ?? null);
  usePolling(() => useStats.getState().load(), REFRESH_MS);
  return (
    <>
      <ScreenTitle>{t('requests.title')}</ScreenTitle>
      <p className="muted">{t('requests.privacy')}</p>
      {totals && <RequestTotals totals={totals} />}
      <fieldset className="segmented" data-testid="bucket-switch">
        <legend>{t('requests.bucket')}</legend>
        {BUCKETS.map((bucket) => (
          <label key={bucket}>
            <input
              type="radio"
              name="stats-bucket"
              value={bucket}
              checked={stats.bucket === bucket}
              onChange={() => void stats.setBucket(bucket)}
              data-testid={`bucket-${bucket}`}
            />
            <span>{t(`requests.buckets.${bucket}`)}</span>
          </label>
        ))}
      </fieldset>
      <ResourceView {...stats} onRetry={() => void stats.load()}>
        {(buckets) => (
          <>
            <RequestCharts buckets={buckets} size={stats.bucket} />
            <RecentRequests buckets={buckets} size={stats.bucket} />
          </>
        )}
      </ResourceView>
    </>
  );
}
