import type { JSX } from 'react';
import type { ApiKeyInfo } from '../../../../../common/adminRecords';
import { ErrorMessage } from '../../../components/ErrorMessage';
import { ScreenTitle } from '../../../components/ScreenTitle';
import { adminList, query } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { CacheCard } from './CacheCard';
import { QuotasCard } from './QuotasCard';
import { RateLimitsCard } from './RateLimitsCard';

/** The organization's rate limits, monthly quotas (with usage) and response cache. */
export function LimitsScreen({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const keys = useResource(() => adminList<ApiKeyInfo>(`/keys${query({ orgId })}`), [orgId]);
  const list = keys.data ?? [];
  return (
    <>
      <ScreenTitle testId="limits-title">{t('limits.title')}</ScreenTitle>
      {keys.error && <ErrorMessage error={keys.error} onRetry={() => void keys.reload()} />}
      <RateLimitsCard orgId={orgId} keys={list} />
      <QuotasCard orgId={orgId} keys={list} />
      <CacheCard orgId={orgId} />
    </>
  );
}
