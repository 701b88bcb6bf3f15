/** Reads a price typed in two fields (USD per 1M tokens). */
import type { TFunction } from 'i18next';
import type { ModelPrice } from '../../../../common/protocol';
import { parseNumber } from '../../components/Fields';
import { localError, type UiError } from '../../stores/uiError';

const MAX_PRICE = 1000;

export function readPrice(prompt: string, completion: string): ModelPrice | null {
  const p = parseNumber(prompt);
  const c = parseNumber(completion);
  if (p === null || c === null || p < 0 || c < 0 || p > MAX_PRICE || c > MAX_PRICE) return null;
  return { prompt: p, completion: c };
}

/** The message for a price that does not read. */
readPrice.error = (t: TFunction): UiError =>
  localError(t('pricing.invalidPrice', { max: MAX_PRICE }));
