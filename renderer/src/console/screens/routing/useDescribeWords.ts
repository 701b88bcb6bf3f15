/** The words {@link describeRule} writes with, in the language on screen. */
import { useMemo } from 'react';
import { useFormat } from '../../../hooks/useFormat';
import { useT } from '../../i18n/i18n';
import type { DescribeWords } from './describeRule';

export function useDescribeWords(): DescribeWords {
  const { t, language } = useT();
  const format = useFormat();
  return useMemo(
    () => ({
      t: (key, vars) => t(key as Parameters<typeof t>[0], vars),
      usd: format.usd,
      language,
    }),
    [t, format, language],
  );
}
