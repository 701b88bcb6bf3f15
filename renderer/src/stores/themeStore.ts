/** The theme on screen (after resolving `system`), for what CSS cannot colour: charts. */
import { create } from 'zustand';

export type ResolvedTheme = 'light' | 'dark';

export const useResolvedTheme = create<{ theme: ResolvedTheme }>()(() => ({ theme: 'light' }));

/** Chart colours per theme; they match the CSS variables in styles/base.css. */
export const chartPalette: Record<
  ResolvedTheme,
  { series: string[]; grid: string; text: string; tooltipBg: string }
> = {
  light: {
    series: ['#2563eb', '#d97706', '#dc2626', '#059669'],
    grid: '#e2e8f0',
    text: '#475569',
    tooltipBg: '#ffffff',
  },
  dark: {
    series: ['#60a5fa', '#fbbf24', '#f87171', '#34d399'],
    grid: '#334155',
    text: '#cbd5e1',
    tooltipBg: '#1e293b',
  },
};
