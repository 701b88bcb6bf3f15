import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { PricingSettings } from '../../../../common/settings';
import { Card } from '../../components/Card';
import { SubmitRow } from '../../components/SubmitRow';
import { useAction } from '../../hooks/useAction';
import { updateSettings } from '../../stores/actions';
import { PriceFields, priceText } from './PriceFields';
import { readPrice } from './readPrice';

/** The price of models without their own, and the floor no model goes below. */
export function DefaultPriceForm({ pricing }: { pricing: PricingSettings }): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const [defaultText, setDefaultText] = useState(priceText(pricing.default));
  const [floorText, setFloorText] = useState(priceText(pricing.floor));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const defaultPrice = readPrice(defaultText);
    const floor = readPrice(floorText);
    if (!defaultPrice || !floor) {
      action.fail(readPrice.error(t));
      return;
    }
    void action.run(() => updateSettings({ pricing: { default: defaultPrice, floor } }));
  };

  return (
    <Card title={t('pricing.defaults')} testId="default-price">
      <form className="form" onSubmit={submit}>
        <PriceFields
          value={defaultText}
          onChange={setDefaultText}
          labels={{
            prompt: t('pricing.defaultPrompt'),
            completion: t('pricing.defaultCompletion'),
          }}
          testId="default"
        />
        <PriceFields
          value={floorText}
          onChange={setFloorText}
          labels={{ prompt: t('pricing.floorPrompt'), completion: t('pricing.floorCompletion') }}
          help={{ prompt: t('pricing.floorHelp') }}
          testId="floor"
        />
        <SubmitRow action={action} testId="default-price" />
      </form>
    </Card>
  );
}
