import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { Card } from '../../components/Card';
import { useFormat } from '../../hooks/useFormat';
import { useReasonText } from '../../hooks/useReasonText';
import { useStatus } from '../../stores/engineStores';

/** The scheduler's recent decisions, newest first, with their reasons. */
export function DecisionsList(): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const reasonText = useReasonText();
  const decisions = useStatus((state) => state.data?.schedule.decisions ?? null);
  return (
    <Card title={t('schedule.decisions')} testId="decisions">
      {decisions === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : decisions.length === 0 ? (
        <p className="empty">{t('schedule.noDecisions')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{t('schedule.decisionTime')}</th>
              <th scope="col">{t('schedule.decisionState')}</th>
              <th scope="col">{t('schedule.decisionReason')}</th>
            </tr>
          </thead>
          <tbody>
            {decisions.slice(0, 20).map((decision, index) => (
              <tr key={`${decision.at}-${index}`} data-testid="decision-row">
                <td>{format.dateTime(decision.at)}</td>
                <td>
                  <span className={`badge ${decision.state}`}>{t(`state.${decision.state}`)}</span>
                </td>
                <td>{reasonText(decision.reasonCode, decision.reason)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
