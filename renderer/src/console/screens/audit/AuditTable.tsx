import type { JSX } from 'react';
import type { AuditEntry } from '../../../../../common/adminRecords';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';
import { describeChange } from './describeChange';

/** Audit entries, newest first. */
export function AuditTable({ entries }: { entries: AuditEntry[] }): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">{t('audit.time')}</th>
            <th scope="col">{t('audit.actor')}</th>
            <th scope="col">{t('audit.action')}</th>
            <th scope="col">{t('audit.target')}</th>
            <th scope="col">{t('audit.details')}</th>
          </tr>
        </thead>
        <tbody>
          {[...entries].reverse().map((entry) => (
            <tr key={entry.seq} data-testid={`audit-row-${entry.seq}`}>
              <td>{format.dateTime(entry.at)}</td>
              <td className="mono" data-testid="audit-row-actor">
                {entry.actor}
              </td>
              <td className="mono" data-testid="audit-row-action">
                {entry.action}
              </td>
              <td className="mono" data-testid="audit-row-target">
                {entry.target || t('common.none')}
              </td>
              <td className="mono audit-details">
                {describeChange(entry.before, entry.after) || t('common.none')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
