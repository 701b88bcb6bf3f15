import type { JSX, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelPrice } from '../../../../common/protocol';
import { NumberField } from '../../components/Fields';

/** A price as typed: USD per 1M prompt and completion tokens, not yet read. */
export interface PriceText {
  prompt: string;
  completion: string;
}

/** The fields' first text for a stored price. */
export const priceText = (price: ModelPrice): PriceText => ({
  prompt: String(price.prompt),
  completion: String(price.completion),
});

interface PriceFieldsProps {
  value: PriceText;
  onChange: (next: PriceText) => void;
  labels: { prompt: string; completion: string };
  help?: { prompt?: ReactNode; completion?: ReactNode };
  /** The fields are `${testId}-prompt` and `${testId}-completion`. */
  testId: string;
}

/** The two fields of one price, side by side. */
export function PriceFields({
  value,
  onChange,
  labels,
  help,
  testId,
}: PriceFieldsProps): JSX.Element {
  const { t } = useTranslation();
  return (
    <div className="form inline">
      <NumberField
        label={labels.prompt}
        value={value.prompt}
        onChange={(prompt) => onChange({ ...value, prompt })}
        min={0}
        unit={t('units.perMillion')}
        help={help?.prompt}
        testId={`${testId}-prompt`}
      />
      <NumberField
        label={labels.completion}
        value={value.completion}
        onChange={(completion) => onChange({ ...value, completion })}
        min={0}
        unit={t('units.perMillion')}
        help={help?.completion}
        testId={`${testId}-completion`}
      />
    </div>
  );
}
