import { useEffect, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { NumberField } from '../../components/Fields';
import { useFormat } from '../../hooks/useFormat';
import { setPrice } from '../../stores/actions';
import { useSettings, useStatus } from '../../stores/engineStores';
import { readPrice } from '../pricing/readPrice';
import type { StepCommit } from './stepCommit';

/** The default price (USD per 1M tokens), next to what the network pays. */
export function PricesStep({
  register,
}: {
  register: (commit: StepCommit | null) => void;
}): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const current = useSettings((state) => state.data?.pricing.default);
  const market = useStatus((state) => state.data?.models.find((model) => model.market)?.market);
  const [prompt, setPrompt] = useState(String(current?.prompt ?? 0.1));
  const [completion, setCompletion] = useState(String(current?.completion ?? 0.2));

  useEffect(() => {
    register(async () => {
      const price = readPrice(prompt, completion);
      if (!price) throw new Error(readPrice.error(t).message);
      await setPrice(undefined, price);
      return true;
    });
    return () => register(null);
  }, [register, prompt, completion, t]);

  return (
    <>
      <p className="muted">{t('onboarding.prices.intro')}</p>
      <div className="form inline">
        <NumberField
          label={t('pricing.defaultPrompt')}
          value={prompt}
          onChange={setPrompt}
          min={0}
          unit={t('units.perMillion')}
          help={
            market && t('onboarding.prices.median', { median: format.usd(market.prompt.median) })
          }
          testId="onboarding-price-prompt"
        />
        <NumberField
          label={t('pricing.defaultCompletion')}
          value={completion}
          onChange={setCompletion}
          min={0}
          unit={t('units.perMillion')}
          help={
            market &&
            t('onboarding.prices.median', { median: format.usd(market.completion.median) })
          }
          testId="onboarding-price-completion"
        />
      </div>
      {!market && <p className="muted">{t('pricing.noMarket')}</p>}
    </>
  );
}
