import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiagnosticCheck } from '../../../../common/nodeApi';
import { ActionStatus } from '../../components/ActionStatus';
import { Card } from '../../components/Card';
import { ErrorMessage } from '../../components/ErrorMessage';
import { saveTextFile } from '../../components/saveFile';
import { fileStamp } from '../../format/format';
import { useAction } from '../../hooks/useAction';
import { useReasonText } from '../../hooks/useReasonText';
import { exportDiagnostics } from '../../stores/actions';
import { useDiagnostics } from '../../stores/engineStores';

/** "Why am I not earning?": the engine's checks, each with what to do, and an export. */
export function DiagnosticsPanel(): JSX.Element {
  const { t } = useTranslation();
  const diagnostics = useDiagnostics();
  const exporting = useAction();
  const onExport = () =>
    exporting.run(async () => {
      const json = await exportDiagnostics();
      saveTextFile(`byoi-diagnostics-${fileStamp()}.json`, json, 'application/json');
    });
  return (
    <Card
      title={t('diagnostics.title')}
      testId="diagnostics"
      actions={
        <>
          <button
            type="button"
            onClick={() => void diagnostics.load()}
            disabled={diagnostics.loading}
            data-testid="diagnostics-run"
          >
            {diagnostics.data ? t('diagnostics.runAgain') : t('diagnostics.run')}
          </button>
          <button type="button" onClick={() => void onExport()} data-testid="diagnostics-export">
            {t('diagnostics.export')}
          </button>
        </>
      }
    >
      <ActionStatus
        action={exporting}
        doneText={t('diagnostics.exported')}
        testId="diagnostics-export"
      />
      {diagnostics.error && (
        <ErrorMessage error={diagnostics.error} onRetry={() => void diagnostics.load()} />
      )}
      {diagnostics.loading && !diagnostics.data && (
        <p className="muted" role="status">
          {t('diagnostics.checking')}
        </p>
      )}
      {!diagnostics.data && !diagnostics.loading && !diagnostics.error && (
        <p className="muted">{t('diagnostics.intro')}</p>
      )}
      {diagnostics.data && <CheckList checks={diagnostics.data} />}
    </Card>
  );
}

function CheckList({ checks }: { checks: DiagnosticCheck[] }): JSX.Element {
  const { t } = useTranslation();
  const reasonText = useReasonText();
  if (checks.length === 0) return <p className="empty">{t('diagnostics.empty')}</p>;
  return (
    <ul className="checks" data-testid="diagnostics-checks">
      {checks.map((check) => {
        const verdict = check.ok === null ? 'na' : check.ok ? 'ok' : 'problem';
        return (
          <li key={check.id} className="diag-check" data-testid={`check-${check.id}`}>
            <span className={`badge ${verdict}`}>{t(`diagnostics.verdict.${verdict}`)}</span>
            <strong>{t(`diagnostics.check.${check.id}`)}</strong>
            <span>{reasonText(check.detailCode, check.detail)}</span>
            {check.fix && (
              <span className="fix">
                {t('diagnostics.fix', { fix: reasonText(check.fixCode, check.fix) })}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
