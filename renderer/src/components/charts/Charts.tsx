import type { JSX } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { chartPalette, useResolvedTheme } from '../../stores/themeStore';
import { ChartFrame, type ChartRow, type Series } from './ChartFrame';

export interface ChartProps {
  title: string;
  rows: ChartRow[];
  series: Series[];
  format: (value: number) => string;
  /** Whole numbers only on the axis (counts: requests, tokens). */
  counts?: boolean;
  emptyText: string;
  testId: string;
  height?: number;
}

function useChartStyle() {
  const palette = chartPalette[useResolvedTheme((state) => state.theme)];
  return {
    palette,
    tick: { fill: palette.text, fontSize: 12 },
    tooltip: {
      contentStyle: { background: palette.tooltipBg, borderColor: palette.grid },
      labelStyle: { color: palette.text },
    },
  };
}

/** Bars per row, one colour per series. */
export function BarChartView(props: ChartProps): JSX.Element {
  const { palette, tick, tooltip } = useChartStyle();
  return (
    <ChartFrame {...props}>
      <ResponsiveContainer width="100%" height={props.height ?? 220}>
        <BarChart data={props.rows} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid stroke={palette.grid} vertical={false} />
          <XAxis dataKey="label" tick={tick} stroke={palette.grid} />
          <YAxis
            tick={tick}
            stroke={palette.grid}
            tickFormatter={props.format}
            allowDecimals={!props.counts}
            width={80}
          />
          <Tooltip formatter={(value) => props.format(Number(value))} {...tooltip} />
          {props.series.length > 1 && <Legend />}
          {props.series.map((entry, index) => (
            <Bar
              key={entry.key}
              dataKey={entry.key}
              name={entry.label}
              fill={palette.series[index % palette.series.length]}
              maxBarSize={48}
              isAnimationActive={false}
            />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}

/** Lines over time, one per series; gaps where a bucket has no value. */
export function LineChartView(props: ChartProps): JSX.Element {
  const { palette, tick, tooltip } = useChartStyle();
  return (
    <ChartFrame {...props}>
      <ResponsiveContainer width="100%" height={props.height ?? 220}>
        <LineChart data={props.rows} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
          <CartesianGrid stroke={palette.grid} vertical={false} />
          <XAxis dataKey="label" tick={tick} stroke={palette.grid} />
          <YAxis
            tick={tick}
            stroke={palette.grid}
            tickFormatter={props.format}
            allowDecimals={!props.counts}
            width={80}
          />
          <Tooltip formatter={(value) => props.format(Number(value))} {...tooltip} />
          <Legend />
          {props.series.map((entry, index) => (
            <Line
              key={entry.key}
              type="monotone"
              dataKey={entry.key}
              name={entry.label}
              stroke={palette.series[index % palette.series.length]}
              strokeWidth={2}
              dot={{ r: 2 }}
              connectNulls={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}
