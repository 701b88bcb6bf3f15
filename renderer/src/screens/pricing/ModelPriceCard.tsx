import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelStatus } from '../../../../common/nodeApi';
import { Stat } from '../../components/Card';
import { SubmitRow } from '../../components/SubmitRow';
import { useAction } from '../../hooks/useAction';
import { useFormat } from '../../hooks/useFormat';
import { setPrice } from '../../stores/actions';
import { MarketRange } from './MarketRange';
import { PriceFields, priceText } from './PriceFields';
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
  const [text, setText] = useState(priceText(model.price));
  const perHour = (value: number | null) =>
    value === null ? t('common.none') : t('pricing.perHour', { amount: format.usd(value) });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const price = readPrice(text);
    if (!price) {
      action.fail(readPrice.error(t));
      return;
    }
    void action.run(() => setPrice(model.id, price));
  };
  const resetToDefault = async () => {
    const settings = await action.run(() => setPrice(model.id, null));
    if (settings) setText(priceText(settings.pricing.default));
  };

  return (
    <article className="model-price" data-testid={`model-price-${model.id}`}>
      <header className="card-header">
        <h3>{model.id}</h3>
        <span className="muted">
          {hasOwnPrice ? t('pricing.ownPrice') : t('pricing.usingDefault')}
        </span>
      </header>
      <form className="form" onSubmit={submit}>
        <PriceFields
          value={text}
          onChange={setText}
          labels={{ prompt: t('pricing.prompt'), completion: t('pricing.completion') }}
          testId="price"
        />
        <SubmitRow action={action} testId="price">
          {hasOwnPrice && (
            <button type="button" onClick={() => void resetToDefault()} disabled={action.pending}>
              {t('pricing.useDefault')}
            </button>
          )}
        </SubmitRow>
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
