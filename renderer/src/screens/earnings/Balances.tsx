import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { EarningsBalances } from '../../../../common/nodeApi';
import { Card, Stat } from '../../components/Card';
import { useFormat } from '../../hooks/useFormat';

const BALANCES = ['pending', 'settled', 'today', 'last7Days', 'last30Days', 'lifetime'] as const;

/** The six balances, each with what it means. */
export function Balances({ summary }: { summary: EarningsBalances }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Card title={t('earnings.balances')} testId="balances">
      <div className="stats-grid">
        {BALANCES.map((key) => (
          <Stat
            key={key}
            label={t(`earnings.balance.${key}`)}
            value={format.usd(summary[key])}
            hint={t(`earnings.balanceHelp.${key}`)}
            testId={`balance-${key}`}
          />
        ))}
      </div>
    </Card>
  );
}
