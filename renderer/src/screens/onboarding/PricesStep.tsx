import { useEffect, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { useFormat } from '../../hooks/useFormat';
import { setPrice } from '../../stores/actions';
import { useSettings, useStatus } from '../../stores/engineStores';
import { PriceFields, priceText } from '../pricing/PriceFields';
import { readPrice } from '../pricing/readPrice';
import type { StepCommit } from './stepCommit';

/** The price a new node starts from when the settings have none yet. */
const STARTING_PRICE = { prompt: 0.1, completion: 0.2 };

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
  const [text, setText] = useState(priceText(current ?? STARTING_PRICE));

  useEffect(() => {
    register(async () => {
      const price = readPrice(text);
      if (!price) throw new Error(readPrice.error(t).message);
      await setPrice(undefined, price);
      return true;
    });
    return () => register(null);
  }, [register, text, t]);

  return (
    <>
      <p className="muted">{t('onboarding.prices.intro')}</p>
      <PriceFields
        value={text}
        onChange={setText}
        labels={{ prompt: t('pricing.defaultPrompt'), completion: t('pricing.defaultCompletion') }}
        help={
          market
            ? {
                prompt: t('onboarding.prices.median', { median: format.usd(market.prompt.median) }),
                completion: t('onboarding.prices.median', {
                  median: format.usd(market.completion.median),
                }),
              }
            : undefined
        }
        testId="onboarding-price"
      />
      {!market && <p className="muted">{t('pricing.noMarket')}</p>}
    </>
  );
}
