import type { JSX } from 'react';
import type { CompareRow } from '../../../../../common/adminRecords';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';
import { useMs } from './UsageTable';

/** The routes' answers side by side: status, timings, tokens, cost. */
export function CompareTable({ rows }: { rows: CompareRow[] }): JSX.Element {
  const { t } = useT();
  const format = useFormat();
  const ms = useMs();
  return (
    <div className="table-wrap">
      <table className="table" data-testid="usage-compare-table">
        <thead>
          <tr>
            <th scope="col">{t('usage.compare.route')}</th>
            <th scope="col">{t('usage.compare.status')}</th>
            <th scope="col">{t('usage.ttft')}</th>
            <th scope="col">{t('usage.latency')}</th>
            <th scope="col">{t('usage.tokensIn')}</th>
            <th scope="col">{t('usage.tokensOut')}</th>
            <th scope="col">{t('usage.cost')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={`${row.route}-${row.nodeId ?? ''}-${index}`} data-testid="usage-compare-row">
              <th scope="row" data-testid="usage-compare-row-route">
                {row.route}
                {row.nodeId && <span className="muted mono small"> {row.nodeId}</span>}
              </th>
              <td data-testid="usage-compare-row-status">
                {row.error ? (
                  <span className="badge problem" title={row.error}>
                    {t('usage.compare.failed', { status: row.status })}
                  </span>
                ) : (
                  <span className="badge ok">{t('usage.compare.ok')}</span>
                )}
                {row.error && <div className="small error">{row.error}</div>}
              </td>
              <td>{ms(row.timeToFirstTokenMs)}</td>
              <td data-testid="usage-compare-row-latency">{ms(row.latencyMs)}</td>
              <td>{format.number(row.promptTokens, 0)}</td>
              <td>{format.number(row.completionTokens, 0)}</td>
              <td data-testid="usage-compare-row-cost">{format.usd(row.costNanos / 1e9)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
