/** Formatters bound to the language on screen. */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import {
  formatBytes,
  formatDateTime,
  formatMegabytes,
  formatNumber,
  formatPercent,
  formatTime,
  formatUsd,
} from '../format/format';

export function useFormat() {
  const { i18n } = useTranslation();
  const language = i18n.language;
  return useMemo(
    () => ({
      language,
      usd: (amount: number) => formatUsd(amount, language),
      number: (value: number, digits = 1) => formatNumber(value, language, digits),
      percent: (value: number) => formatPercent(value, language),
      bytes: (bytes: number) => formatBytes(bytes, language),
      megabytes: (mb: number) => formatMegabytes(mb, language),
      dateTime: (iso: string) => formatDateTime(iso, language),
      time: (iso: string) => formatTime(iso, language),
    }),
    [language],
  );
}
