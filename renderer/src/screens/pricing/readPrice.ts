/** Reading a price typed in two fields (USD per 1M tokens). */
import type { TFunction } from 'i18next';
import type { ModelPrice } from '../../../../common/protocol';
import { parseNumber } from '../../components/Fields';
import { localError, type UiError } from '../../stores/uiError';
import type { PriceText } from './PriceFields';

const MAX_PRICE = 1000;

/** The price typed, or null when either field is not a number from 0 to the maximum. */
export function readPrice(text: PriceText): ModelPrice | null {
  const p = parseNumber(text.prompt);
  const c = parseNumber(text.completion);
  if (p === null || c === null || p < 0 || c < 0 || p > MAX_PRICE || c > MAX_PRICE) return null;
  return { prompt: p, completion: c };
}

/** The message for a price that does not read. */
readPrice.error = (t: TFunction): UiError =>
  localError(t('pricing.invalidPrice', { max: MAX_PRICE }));
