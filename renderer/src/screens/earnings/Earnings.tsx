import { useEffect, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ResourceView } from '../../components/AsyncStates';
import { ScreenTitle } from '../../components/ScreenTitle';
import { useEarnings, useSettings, useStatus } from '../../stores/engineStores';
import { Balances } from './Balances';
import { CsvExport } from './CsvExport';
import { DiscrepanciesTable } from './DiscrepanciesTable';
import { EarningsCharts } from './EarningsCharts';
import { SplitEditor } from './SplitEditor';

/** Balances, charts by day and by model, the reward split, discrepancies and CSV export. */
export function Earnings(): JSX.Element {
  const { t } = useTranslation();
  const earnings = useEarnings();
  const settings = useSettings();
  // The pushed status carries the balances: when they move, the summary is worth reloading.
  const balancesKey = useStatus((state) => {
    const balances = state.data?.earnings;
    return balances ? `${balances.pending}/${balances.settled}/${balances.lifetime}` : '';
  });
  useEffect(() => {
    void useEarnings.getState().load();
  }, [balancesKey]);

  return (
    <>
      <ScreenTitle>{t('earnings.title')}</ScreenTitle>
      <ResourceView {...earnings} onRetry={() => void earnings.load()}>
        {(summary) => (
          <>
            <Balances summary={summary} />
            <EarningsCharts summary={summary} />
            <DiscrepanciesTable discrepancies={summary.discrepancies} />
          </>
        )}
      </ResourceView>
      {settings.data && (
        <SplitEditor rewards={settings.data.rewards} settledSplit={earnings.data?.split ?? null} />
      )}
      <CsvExport />
    </>
  );
}
