/** {@link reasonText} bound to the language on screen. */
import { useTranslation } from 'react-i18next';
import type { Reason } from '../../../common/reasonCodes';
import { reasonText } from '../i18n/reasonText';

/** Returns `(reason, english) => text`; the component re-renders when the language changes. */
export function useReasonText(): (reason: Reason | null | undefined, english: string) => string {
  const { i18n } = useTranslation();
  return (reason, english) => reasonText(i18n, reason, english);
}
