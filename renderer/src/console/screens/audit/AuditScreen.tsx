import { useState, type JSX } from 'react';
import type { AuditEntry } from '../../../../../common/adminRecords';
import { ResourceView } from '../../../components/AsyncStates';
import { Card } from '../../../components/Card';
import { ScreenTitle } from '../../../components/ScreenTitle';
import { adminList } from '../../api/consoleApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { auditPath } from './auditFilter';
import { AuditFilterCard } from './AuditFilterCard';
import { AuditTable } from './AuditTable';

/** Who changed what, and when: the audit log, filtered, with a CSV export. */
export function AuditScreen(_props: { orgId: string }): JSX.Element {
  const { t } = useT();
  const [filter, setFilter] = useState<Record<string, string | undefined>>({});
  const path = auditPath(filter);
  const entries = useResource(() => adminList<AuditEntry>(path), [path]);
  return (
    <>
      <ScreenTitle testId="audit-title">{t('audit.title')}</ScreenTitle>
      <AuditFilterCard onApply={setFilter} />
      <Card
        title={t('audit.entries')}
        testId="audit-list"
        actions={
          <button type="button" onClick={() => void entries.reload()} data-testid="audit-refresh">
            {t('common.refresh')}
          </button>
        }
      >
        <ResourceView
          {...entries}
          onRetry={() => void entries.reload()}
          empty={{
            when: (list) => list.length === 0,
            text: t('audit.empty'),
            testId: 'audit-empty',
          }}
        >
          {(list) => <AuditTable entries={list} />}
        </ResourceView>
      </Card>
    </>
  );
}
