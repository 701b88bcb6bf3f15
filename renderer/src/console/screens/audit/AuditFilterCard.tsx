import { useState, type JSX } from 'react';
import { ActionStatus } from '../../../components/ActionStatus';
import { Card } from '../../../components/Card';
import { NumberField, TextField } from '../../../components/Fields';
import { saveTextFile } from '../../../components/saveFile';
import { fileStamp } from '../../../format/format';
import { useAction } from '../../../hooks/useAction';
import { localError, type UiError } from '../../../stores/uiError';
import { rawFetch } from '../../api/consoleApi';
import { useT } from '../../i18n/i18n';
import {
  auditPath,
  EMPTY_FILTER,
  filterQuery,
  MAX_AUDIT_LIMIT,
  type AuditFilterForm,
} from './auditFilter';

/** The audit log's filter, and its CSV export (with the same filter, by the gateway). */
export function AuditFilterCard(props: {
  onApply: (values: Record<string, string | undefined>) => void;
}): JSX.Element {
  const { t } = useT();
  const [form, setForm] = useState<AuditFilterForm>(EMPTY_FILTER);
  const apply = useAction();
  const exporting = useAction();
  const set = (field: keyof AuditFilterForm) => (value: string) =>
    setForm({ ...form, [field]: value });
  const checked = (): { values: Record<string, string | undefined> } | { error: UiError } => {
    const result = filterQuery(form);
    if (result.ok) return { values: result.values };
    const message = {
      since: t('audit.badSince'),
      until: t('audit.badUntil'),
      order: t('audit.badOrder'),
      limit: t('audit.badLimit', { max: MAX_AUDIT_LIMIT }),
    }[result.problem];
    return { error: localError(message) };
  };
  return (
    <Card title={t('audit.filter')} testId="audit-filter">
      <form
        noValidate
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const checkedFilter = checked();
          if ('error' in checkedFilter) return apply.fail(checkedFilter.error);
          void apply.run(async () => props.onApply(checkedFilter.values));
        }}
      >
        <div className="form inline">
          <TextField
            label={t('audit.actor')}
            value={form.actor}
            onChange={set('actor')}
            placeholder="console:operator"
            testId="audit-filter-actor"
          />
          <TextField
            label={t('audit.action')}
            value={form.action}
            onChange={set('action')}
            placeholder="quota."
            testId="audit-filter-action"
          />
          <TextField
            label={t('audit.since')}
            value={form.since}
            onChange={set('since')}
            placeholder={t('audit.datePlaceholder')}
            testId="audit-filter-since"
          />
          <TextField
            label={t('audit.until')}
            value={form.until}
            onChange={set('until')}
            placeholder={t('audit.datePlaceholder')}
            testId="audit-filter-until"
          />
          <NumberField
            label={t('audit.limit')}
            value={form.limit}
            onChange={set('limit')}
            min={1}
            max={MAX_AUDIT_LIMIT}
            step={1}
            testId="audit-filter-limit"
          />
        </div>
        <p className="help">{t('audit.filterHelp')}</p>
        <div className="row">
          <button
            type="submit"
            className="primary"
            disabled={apply.pending}
            data-testid="audit-filter-submit"
          >
            {t('audit.apply')}
          </button>
          <button
            type="button"
            onClick={() => {
              setForm(EMPTY_FILTER);
              void apply.run(async () => props.onApply({}));
            }}
            data-testid="audit-filter-clear"
          >
            {t('audit.clear')}
          </button>
          <button
            type="button"
            disabled={exporting.pending}
            onClick={() => {
              const checkedFilter = checked();
              if ('error' in checkedFilter) return exporting.fail(checkedFilter.error);
              void exporting.run(async () => {
                const path = auditPath(checkedFilter.values, 'csv');
                const response = await rawFetch(`/admin/v1${path}`);
                saveTextFile(`byoi-audit-${fileStamp()}.csv`, await response.text(), 'text/csv');
              });
            }}
            data-testid="audit-export"
          >
            {t('audit.export')}
          </button>
          <ActionStatus action={apply} testId="audit-filter" doneText={t('audit.applied')} />
          <ActionStatus action={exporting} testId="audit-export" doneText={t('audit.exported')} />
        </div>
      </form>
    </Card>
  );
}
