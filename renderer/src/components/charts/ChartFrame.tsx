import type { JSX, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface Series {
  key: string;
  label: string;
}

export type ChartRow = { label: string } & Record<string, number | string | null>;

interface Props {
  title: string;
  rows: ChartRow[];
  series: Series[];
  format: (value: number) => string;
  emptyText: string;
  testId: string;
  children: ReactNode;
}

/**
 * A chart with its title, an empty state, and the same figures as a table that screen
 * readers (and tests) read, since the SVG alone says nothing.
 */
export function ChartFrame(props: Props): JSX.Element {
  const { t } = useTranslation();
  const { rows, series, format } = props;
  const hasValues = rows.some((row) =>
    series.some((entry) => typeof row[entry.key] === 'number' && row[entry.key] !== 0),
  );
  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption>{props.title}</figcaption>
      {hasValues ? (
        <div className="chart-area" aria-hidden="true">
          {props.children}
        </div>
      ) : (
        <p className="empty" data-testid={`${props.testId}-empty`}>
          {props.emptyText}
        </p>
      )}
      {/* A table grows to its rows whatever its own size: hide a box around it instead. */}
      <div className="sr-only">
        <table data-testid={`${props.testId}-table`}>
          <caption>{props.title}</caption>
          <thead>
            <tr>
              <th scope="col">{t('charts.when')}</th>
              {series.map((entry) => (
                <th key={entry.key} scope="col">
                  {entry.label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                {series.map((entry) => {
                  const value = row[entry.key];
                  return (
                    <td key={entry.key} data-testid={`${props.testId}-value`}>
                      {typeof value === 'number' ? format(value) : t('common.none')}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
