/** Rejection reasons as people read them; unknown ones (a newer engine) show as sent. */
import type { TFunction } from 'i18next';
import type { JobRejectReason } from '../../../../common/protocol';

const KNOWN: readonly JobRejectReason[] = [
  'busy',
  'paused',
  'price',
  'model',
  'invalid',
  'shutting_down',
];

export function rejectionReason(t: TFunction, reason: string): string {
  const known = KNOWN.find((entry) => entry === reason);
  return known ? t(`requests.reasons.${known}`) : reason;
}
