import type { JSX } from 'react';
import type { UsageGroupBy, UsageReportRow } from '../../../../../common/adminRecords';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';

/** Milliseconds as text, or a dash when there is no figure. */
export function useMs(): (value: number | null) => string {
  const { t } = useT();
  const format = useFormat();
  return (value) => (value === null ? t('common.none') : `${format.number(value, 0)} ms`);
}

/** One row per group: requests, errors, tokens, cost, timings. */
export function UsageTable(props: { by: UsageGroupBy; rows: UsageReportRow[] }): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  const ms = useMs();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="usage-table">
        <thead>
          <tr>
            <th scope="col">{t(`usage.by.${props.by}`)}</th>
            <th scope="col">{t('usage.requests')}</th>
            <th scope="col">{t('usage.errors')}</th>
            <th scope="col">{t('usage.tokensIn')}</th>
            <th scope="col">{t('usage.tokensOut')}</th>
            <th scope="col">{t('usage.cost')}</th>
            <th scope="col">{t('usage.latencyP50')}</th>
            <th scope="col">{t('usage.latencyP95')}</th>
            <th scope="col">{t('usage.ttftP50')}</th>
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr key={row.group} data-testid="usage-row" data-group={row.group}>
              <th scope="row" className="mono" data-testid="usage-row-group">
                {row.group}
              </th>
              <td data-testid="usage-row-requests">{format.number(row.requests, 0)}</td>
              <td data-testid="usage-row-errors">{format.number(row.errors, 0)}</td>
              <td data-testid="usage-row-prompt">{format.number(row.promptTokens, 0)}</td>
              <td data-testid="usage-row-completion">{format.number(row.completionTokens, 0)}</td>
              <td data-testid="usage-row-cost">{format.usd(row.costNanos / 1e9)}</td>
              <td>{ms(row.latencyP50Ms)}</td>
              <td>{ms(row.latencyP95Ms)}</td>
              <td>{ms(row.ttftP50Ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
