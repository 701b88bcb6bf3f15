import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelStatus } from '../../../../common/nodeApi';
import { useFormat } from '../../hooks/useFormat';

/** Our price next to the network's median and quartiles, for prompt and completion. */
export function MarketRange({ model }: { model: ModelStatus }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const { market } = model;
  if (!market) {
    return (
      <p className="muted" data-testid="market-none">
        {t('pricing.noMarket')}
      </p>
    );
  }
  const rows = [
    { label: t('pricing.prompt'), ours: model.price.prompt, spread: market.prompt },
    { label: t('pricing.completion'), ours: model.price.completion, spread: market.completion },
  ];
  return (
    <table className="table compact" data-testid="market">
      <caption>{t('pricing.marketCaption', { samples: market.samples })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('pricing.tokens')}</th>
          <th scope="col">{t('pricing.yours')}</th>
          <th scope="col">{t('pricing.p25')}</th>
          <th scope="col">{t('pricing.median')}</th>
          <th scope="col">{t('pricing.p75')}</th>
          <th scope="col">{t('pricing.position')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.label}>
            <th scope="row">{row.label}</th>
            <td>{format.usd(row.ours)}</td>
            <td>{format.usd(row.spread.p25)}</td>
            <td data-testid="market-median">{format.usd(row.spread.median)}</td>
            <td>{format.usd(row.spread.p75)}</td>
            <td>
              {row.ours < row.spread.p25
                ? t('pricing.belowMarket')
                : row.ours > row.spread.p75
                  ? t('pricing.aboveMarket')
                  : t('pricing.inMarket')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
