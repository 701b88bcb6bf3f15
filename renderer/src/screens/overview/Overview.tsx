import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ResourceView } from '../../components/AsyncStates';
import { ScreenTitle } from '../../components/ScreenTitle';
import { useStatus } from '../../stores/engineStores';
import { DiagnosticsPanel } from './DiagnosticsPanel';
import { GpuPanel } from './GpuPanel';
import { StandingPanel } from './StandingPanel';
import { StatusSummary } from './StatusSummary';

/**
 * Is it serving and why, today's figures, the node's standing on the network, the GPUs, and
 * "why am I not earning?".
 */
export function Overview(): JSX.Element {
  const { t } = useTranslation();
  const status = useStatus();
  return (
    <>
      <ScreenTitle>{t('overview.title')}</ScreenTitle>
      <ResourceView {...status} onRetry={() => void status.load()}>
        {(data) => (
          <>
            <StatusSummary status={data} />
            <StandingPanel standing={data.standing ?? null} />
          </>
        )}
      </ResourceView>
      <GpuPanel />
      <DiagnosticsPanel />
    </>
  );
}
