import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { Card } from '../../components/Card';
import { useReasonText } from '../../hooks/useReasonText';
import { useConnection } from '../../stores/connectionStore';
import { useStatus } from '../../stores/engineStores';

/** Version, hardware and how this dashboard reaches the engine. */
export function About(): JSX.Element {
  const { t } = useTranslation();
  const status = useStatus((state) => state.data);
  const transport = useConnection((state) => state.transport);
  const reasonText = useReasonText();
  const unknown = t('common.unknown');
  return (
    <Card title={t('about.title')} testId="about">
      <dl className="facts">
        <dt>{t('about.version')}</dt>
        <dd data-testid="about-version">{status?.version ?? unknown}</dd>
        <dt>{t('about.hardware')}</dt>
        <dd>
          {status ? reasonText(status.hardware.summaryCode, status.hardware.summary) : unknown}
        </dd>
        <dt>{t('about.backend')}</dt>
        <dd>{status?.hardware.backend ?? unknown}</dd>
        <dt>{t('about.node')}</dt>
        <dd className="mono">{status?.link.nodeId ?? t('about.notEnrolled')}</dd>
        <dt>{t('about.transport')}</dt>
        <dd>{transport ? t(`about.transports.${transport}`) : unknown}</dd>
      </dl>
    </Card>
  );
}
