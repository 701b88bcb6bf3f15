import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionStatus } from '../../components/ActionStatus';
import { Card } from '../../components/Card';
import { saveTextFile } from '../../components/saveFile';
import { fileStamp } from '../../format/format';
import { useAction } from '../../hooks/useAction';
import { exportEarningsCsv } from '../../stores/actions';

/** Downloads every job's earnings as CSV. */
export function CsvExport(): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const onExport = () =>
    action.run(async () => {
      const csv = await exportEarningsCsv();
      saveTextFile(`byoi-earnings-${fileStamp()}.csv`, csv, 'text/csv');
    });
  return (
    <Card title={t('earnings.export')} testId="earnings-export">
      <p className="muted">{t('earnings.exportHelp')}</p>
      <div className="row">
        <button
          type="button"
          onClick={() => void onExport()}
          disabled={action.pending}
          data-testid="export-csv"
        >
          {t('earnings.exportCsv')}
        </button>
        <ActionStatus action={action} doneText={t('earnings.exported')} testId="export-csv" />
      </div>
    </Card>
  );
}
