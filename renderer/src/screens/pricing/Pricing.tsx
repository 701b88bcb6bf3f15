import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ResourceView } from '../../components/AsyncStates';
import { Card } from '../../components/Card';
import { ScreenTitle } from '../../components/ScreenTitle';
import { useSettings, useStatus } from '../../stores/engineStores';
import { DefaultPriceForm } from './DefaultPriceForm';
import { ElectricityForm } from './ElectricityForm';
import { ModelPriceCard } from './ModelPriceCard';

/** Prices per model against the network's, what they might earn, and electricity. */
export function Pricing(): JSX.Element {
  const { t } = useTranslation();
  const status = useStatus();
  const settings = useSettings();
  return (
    <>
      <ScreenTitle>{t('pricing.title')}</ScreenTitle>
      <p className="muted">{t('pricing.intro')}</p>
      <Card title={t('pricing.models')} testId="model-prices">
        <ResourceView
          {...status}
          onRetry={() => void status.load()}
          empty={{ when: (data) => data.models.length === 0, text: t('pricing.noModels') }}
        >
          {(data) =>
            settings.data &&
            data.models.map((model) => (
              <ModelPriceCard
                key={model.id}
                model={model}
                hasOwnPrice={Object.hasOwn(settings.data?.pricing.models ?? {}, model.id)}
              />
            ))
          }
        </ResourceView>
      </Card>
      <ResourceView {...settings} onRetry={() => void settings.load()}>
        {(data) => (
          <>
            <DefaultPriceForm pricing={data.pricing} />
            <ElectricityForm electricity={data.pricing.electricity} />
          </>
        )}
      </ResourceView>
    </>
  );
}
