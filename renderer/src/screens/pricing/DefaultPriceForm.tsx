import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { PricingSettings } from '../../../../common/settings';
import { ActionStatus } from '../../components/ActionStatus';
import { Card } from '../../components/Card';
import { NumberField } from '../../components/Fields';
import { useAction } from '../../hooks/useAction';
import { updateSettings } from '../../stores/actions';
import { readPrice } from './readPrice';

/** The price of models without their own, and the floor no model goes below. */
export function DefaultPriceForm({ pricing }: { pricing: PricingSettings }): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const [prompt, setPrompt] = useState(String(pricing.default.prompt));
  const [completion, setCompletion] = useState(String(pricing.default.completion));
  const [floorPrompt, setFloorPrompt] = useState(String(pricing.floor.prompt));
  const [floorCompletion, setFloorCompletion] = useState(String(pricing.floor.completion));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const defaultPrice = readPrice(prompt, completion);
    const floor = readPrice(floorPrompt, floorCompletion);
    if (!defaultPrice || !floor) {
      action.fail(readPrice.error(t));
      return;
    }
    void action.run(() => updateSettings({ pricing: { default: defaultPrice, floor } }));
  };

  return (
    <Card title={t('pricing.defaults')} testId="default-price">
      <form className="form" onSubmit={submit}>
        <div className="form inline">
          <NumberField
            label={t('pricing.defaultPrompt')}
            value={prompt}
            onChange={setPrompt}
            min={0}
            unit={t('units.perMillion')}
            testId="default-prompt"
          />
          <NumberField
            label={t('pricing.defaultCompletion')}
            value={completion}
            onChange={setCompletion}
            min={0}
            unit={t('units.perMillion')}
            testId="default-completion"
          />
        </div>
        <div className="form inline">
          <NumberField
            label={t('pricing.floorPrompt')}
            value={floorPrompt}
            onChange={setFloorPrompt}
            min={0}
            unit={t('units.perMillion')}
            help={t('pricing.floorHelp')}
          />
          <NumberField
            label={t('pricing.floorCompletion')}
            value={floorCompletion}
            onChange={setFloorCompletion}
            min={0}
            unit={t('units.perMillion')}
          />
        </div>
        <div className="row">
          <button
            type="submit"
            className="primary"
            disabled={action.pending}
            data-testid="default-save"
          >
            {t('common.save')}
          </button>
          <ActionStatus action={action} testId="default-price" />
        </div>
      </form>
    </Card>
  );
}
