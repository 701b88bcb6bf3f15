import { useEffect, useState, type JSX } from 'react';
import type { CacheCharge, CachePolicy, UsageReportRow } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card, Stat } from '../../../components/Card';
import { CheckField, NumberField, SelectField } from '../../../components/Fields';
import { SubmitRow } from '../../../components/SubmitRow';
import { useAction } from '../../../hooks/useAction';
import { useFormat } from '../../../hooks/useFormat';
import { localError } from '../../../stores/uiError';
import { admin, adminList, query } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { LIMIT_BOUNDS, parseWhole } from './limitBounds';

/** The route name the gateway accounts cache hits with (gateway/policy/cachedReply.ts). */
const CACHE_ROUTE = 'cache';
const DEFAULT_TTL_SECONDS = 60 * 60;

interface CacheView {
  policy: CachePolicy | null;
  hits: number;
  requests: number;
}

async function loadCache(orgId: string): Promise<CacheView> {
  const [policies, routes] = await Promise.all([
    adminList<CachePolicy>(`/cache${query({ orgId })}`),
    adminList<UsageReportRow>(`/usage/report${query({ orgId, by: 'route' })}`),
  ]);
  return {
    policy: policies[0] ?? null,
    hits: routes.find((row) => row.group === CACHE_ROUTE)?.requests ?? 0,
    requests: routes.reduce((sum, row) => sum + row.requests, 0),
  };
}

/** The response cache: on or off, how long answers are kept, what a hit costs, its hit rate. */
export function CacheCard({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  const cache = useResource(() => loadCache(orgId), [orgId]);
  const [enabled, setEnabled] = useState(false);
  const [ttl, setTtl] = useState(String(DEFAULT_TTL_SECONDS));
  const [charge, setCharge] = useState<CacheCharge>('full');
  const action = useAction();
  const policy = cache.data?.policy;
  useEffect(() => {
    if (!policy) return;
    setEnabled(policy.enabled);
    setTtl(String(policy.ttlSeconds));
    setCharge(policy.charge);
  }, [policy]);
  return (
    <Card
      title={t('limits.cacheTitle')}
      testId="limits-cache"
      actions={
        <button
          type="button"
          onClick={() => void cache.reload()}
          data-testid="limits-cache-refresh"
        >
          {t('common.refresh')}
        </button>
      }
    >
      <ResourceView {...cache} onRetry={() => void cache.reload()}>
        {(view) => (
          <div className="stats-grid">
            <Stat
              label={t('limits.cacheState')}
              value={view.policy?.enabled ? t('limits.cacheOn') : t('limits.cacheOff')}
              testId="limits-cache-state"
            />
            <Stat
              label={t('limits.hitRate')}
              value={
                view.requests === 0
                  ? t('common.none')
                  : format.percent((view.hits / view.requests) * 100)
              }
              hint={t('limits.hitRateHint', {
                hits: format.number(view.hits, 0),
                requests: format.number(view.requests, 0),
              })}
              testId="limits-cache-hit-rate"
            />
          </div>
        )}
      </ResourceView>
      <form
        noValidate
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const seconds = parseWhole(ttl, 1, LIMIT_BOUNDS.maxCacheTtlSeconds);
          if (seconds === null || seconds === 'bad') {
            action.fail(
              localError(
                t('limits.badTtl', { max: format.number(LIMIT_BOUNDS.maxCacheTtlSeconds, 0) }),
              ),
            );
            return;
          }
          void action.run(async () => {
            await admin('/cache', 'PUT', { orgId, enabled, ttlSeconds: seconds, charge });
            await cache.reload();
          });
        }}
      >
        <div className="form inline">
          <CheckField
            label={t('limits.cacheEnabled')}
            checked={enabled}
            onChange={setEnabled}
            testId="limits-cache-enabled"
          />
          <NumberField
            label={t('limits.ttl')}
            value={ttl}
            onChange={setTtl}
            min={1}
            max={LIMIT_BOUNDS.maxCacheTtlSeconds}
            step={1}
            unit={t('limits.seconds')}
            testId="limits-cache-ttl"
          />
          <SelectField
            label={t('limits.charge')}
            value={charge}
            onChange={setCharge}
            testId="limits-cache-charge"
            options={[
              { value: 'full', label: t('limits.chargeFull') },
              { value: 'none', label: t('limits.chargeNone') },
            ]}
          />
        </div>
        <SubmitRow action={action} testId="limits-cache" label={t('limits.cacheSave')} />
      </form>
    </Card>
  );
}
