import { useCallback, useEffect, useState, type JSX } from 'react';
import type { UsageGroupBy, UsageReportRow } from '../../../../../common/adminRecords';
import { Card } from '../../../components/Card';
import { Empty } from '../../../components/AsyncStates';
import { saveTextFile } from '../../../components/saveFile';
import { useAction } from '../../../hooks/useAction';
import { adminList, query } from '../../api/consoleApi';
import { useT } from '../../i18n/i18n';
import { UsageCharts } from './UsageCharts';
import { UsagePeriodForm, type ReportQuery } from './UsagePeriodForm';
import { UsageTable } from './UsageTable';
import { usageCsv } from './usageCsv';
import { utcDate } from './usagePeriod';

interface Report {
  by: UsageGroupBy;
  rows: UsageReportRow[];
}

/** The usage report: its period form, charts, table and CSV export of what is shown. */
export function UsageReportCard({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const action = useAction();
  const [report, setReport] = useState<Report | null>(null);
  const load = useCallback(
    (wanted: ReportQuery) =>
      void action.run(async () => {
        const rows = await adminList<UsageReportRow>(`/usage/report${query({ orgId, ...wanted })}`);
        setReport({ by: wanted.by, rows });
      }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [orgId],
  );
  useEffect(() => {
    setReport(null);
    load({ by: 'model', since: utcDate(Date.now(), 29) });
  }, [load]);
  return (
    <Card
      title={t('usage.report')}
      testId="usage-report"
      actions={
        <button
          type="button"
          disabled={!report || report.rows.length === 0}
          onClick={() =>
            report &&
            saveTextFile(
              `byoi-usage-by-${report.by}-${utcDate(Date.now())}.csv`,
              usageCsv(report.by, report.rows),
              'text/csv',
            )
          }
          data-testid="usage-export"
        >
          {t('usage.export')}
        </button>
      }
    >
      <UsagePeriodForm action={action} onSubmit={load} />
      {report &&
        (report.rows.length === 0 ? (
          <Empty testId="usage-empty">{t('usage.empty')}</Empty>
        ) : (
          <>
            <UsageCharts by={report.by} rows={report.rows} />
            <UsageTable by={report.by} rows={report.rows} />
          </>
        ))}
    </Card>
  );
}
