import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelStatus } from '../../../../common/nodeApi';
import { ActionStatus } from '../../components/ActionStatus';
import { Stat } from '../../components/Card';
import { NumberField } from '../../components/Fields';
import { useAction } from '../../hooks/useAction';
import { useFormat } from '../../hooks/useFormat';
import { setPrice } from '../../stores/actions';
import { MarketRange } from './MarketRange';
import { readPrice } from './readPrice';

interface Props {
  model: ModelStatus;
  hasOwnPrice: boolean;
}

/** One model: its price form, the market's spread, and hourly estimates. */
export function ModelPriceCard({ model, hasOwnPrice }: Props): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const action = useAction();
  const [prompt, setPrompt] = useState(String(model.price.prompt));
  const [completion, setCompletion] = useState(String(model.price.completion));
  const perHour = (value: number | null) =>
    value === null ? t('common.none') : t('pricing.perHour', { amount: format.usd(value) });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const price = readPrice(prompt, completion);
    if (!price) {
      action.fail(readPrice.error(t));
      return;
    }
    void action.run(() => setPrice(model.id, price));
  };
  const resetToDefault = async () => {
    const settings = await action.run(() => setPrice(model.id, null));
    if (settings) {
      setPrompt(String(settings.pricing.default.prompt));
      setCompletion(String(settings.pricing.default.completion));
    }
  };

  return (
    <article className="model-price" data-testid={`model-price-${model.id}`}>
      <header className="card-header">
        <h3>{model.id}</h3>
        <span className="muted">
          {hasOwnPrice ? t('pricing.ownPrice') : t('pricing.usingDefault')}
        </span>
      </header>
      <form className="form inline" onSubmit={submit}>
        <NumberField
          label={t('pricing.prompt')}
          value={prompt}
          onChange={setPrompt}
          min={0}
          unit={t('units.perMillion')}
          testId="price-prompt"
        />
        <NumberField
          label={t('pricing.completion')}
          value={completion}
          onChange={setCompletion}
          min={0}
          unit={t('units.perMillion')}
          testId="price-completion"
        />
        <div className="row">
          <button
            type="submit"
            className="primary"
            disabled={action.pending}
            data-testid="price-save"
          >
            {t('common.save')}
          </button>
          {hasOwnPrice && (
            <button type="button" onClick={() => void resetToDefault()} disabled={action.pending}>
              {t('pricing.useDefault')}
            </button>
          )}
          <ActionStatus action={action} testId="price" />
        </div>
      </form>
      <MarketRange model={model} />
      <div className="stats-grid">
        <Stat
          label={t('pricing.tokensPerSecond')}
          value={
            model.tokensPerSecond === null ? t('common.none') : format.number(model.tokensPerSecond)
          }
        />
        <Stat
          label={t('pricing.earningsPerHour')}
          value={perHour(model.earningsPerHour)}
          testId="model-earnings-hour"
        />
        <Stat label={t('pricing.electricityPerHour')} value={perHour(model.electricityPerHour)} />
        <Stat label={t('pricing.netPerHour')} value={perHour(model.netPerHour)} />
      </div>
    </article>
  );
}
