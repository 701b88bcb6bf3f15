import type { JSX } from 'react';
import { ScreenTitle } from '../../../components/ScreenTitle';
import { useT } from '../../i18n/i18n';
import { CompareCard } from './CompareCard';
import { UsageReportCard } from './UsageReportCard';

/** The organization's usage by model, route, key or node, and a same-prompt comparison. */
export function UsageScreen({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  return (
    <>
      <ScreenTitle testId="usage-title">{t('usage.title')}</ScreenTitle>
      <UsageReportCard orgId={orgId} />
      <CompareCard orgId={orgId} />
    </>
  );
}
