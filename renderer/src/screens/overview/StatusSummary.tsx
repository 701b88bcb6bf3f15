import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { NodeStatus } from '../../../../common/nodeApi';
import { Card, Stat } from '../../components/Card';
import { useFormat } from '../../hooks/useFormat';
import { useReasonText } from '../../hooks/useReasonText';

/** The schedule's state with its reason, the link, and today's figures. */
export function StatusSummary({ status }: { status: NodeStatus }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const reasonText = useReasonText();
  const { schedule, link, stats, earnings } = status;
  const tokensPerSecond = stats.tokensPerSecond.p50;
  return (
    <>
      <Card title={t('overview.status')} testId="overview-status">
        <p className="status-line">
          <span className={`badge ${schedule.state}`} data-testid="schedule-state">
            {t(`state.${schedule.state}`)}
          </span>
          <span data-testid="schedule-reason">
            {reasonText(schedule.reasonCode, schedule.reason)}
          </span>
        </p>
        <p className="muted">
          {t('overview.modeSince', {
            mode: t(`mode.${schedule.mode}`),
            since: format.dateTime(schedule.since),
          })}
          {schedule.pausedUntil &&
            ` · ${t('schedule.pausedUntil', { time: format.dateTime(schedule.pausedUntil) })}`}
        </p>
      </Card>
      <div className="stats-grid">
        <Stat
          label={t('overview.todayEarnings')}
          value={format.usd(earnings.today)}
          testId="overview-today"
        />
        <Stat
          label={t('overview.tokensPerSecond')}
          value={tokensPerSecond === null ? t('common.none') : format.number(tokensPerSecond)}
          testId="overview-tps"
        />
        <Stat
          label={t('overview.requests')}
          value={format.number(stats.requests, 0)}
          testId="overview-requests"
        />
        <Stat
          label={t('overview.link')}
          value={
            <span className={`badge link-${link.state}`} data-testid="overview-link-state">
              {t(`link.${link.state}`)}
            </span>
          }
          hint={link.reason ?? link.gatewayURL ?? undefined}
        />
      </div>
    </>
  );
}
