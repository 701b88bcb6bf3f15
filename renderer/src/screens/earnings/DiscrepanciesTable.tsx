import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { Discrepancy } from '../../../../common/nodeApi';
import { Card } from '../../components/Card';
import { useFormat } from '../../hooks/useFormat';

/** Receipts that disagree with what this node metered. */
export function DiscrepanciesTable({
  discrepancies,
}: {
  discrepancies: Discrepancy[];
}): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  return (
    <Card title={t('earnings.discrepancies')} testId="discrepancies">
      {discrepancies.length === 0 ? (
        <p className="empty" data-testid="discrepancies-empty">
          {t('earnings.noDiscrepancies')}
        </p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('earnings.when')}</th>
              <th scope="col">{t('earnings.model')}</th>
              <th scope="col">{t('earnings.job')}</th>
              <th scope="col">{t('earnings.detail')}</th>
            </tr>
          </thead>
          <tbody>
            {discrepancies.map((entry) => (
              <tr key={entry.jobId} data-testid="discrepancy-row">
                <td>{format.dateTime(entry.at)}</td>
                <td>{entry.model}</td>
                <td className="mono">{entry.jobId}</td>
                <td>{entry.detail}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
