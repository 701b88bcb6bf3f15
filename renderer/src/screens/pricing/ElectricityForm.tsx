import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ElectricitySettings } from '../../../../common/settings';
import { SubmitRow } from '../../components/SubmitRow';
import { Card } from '../../components/Card';
import { CheckField, NumberField, parseNumber } from '../../components/Fields';
import { useAction } from '../../hooks/useAction';
import { updateSettings } from '../../stores/actions';
import { localError } from '../../stores/uiError';

/** Electricity price and draw, for the net figures, and pausing when serving loses money. */
export function ElectricityForm({
  electricity,
}: {
  electricity: ElectricitySettings;
}): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const [price, setPrice] = useState(String(electricity.pricePerKwh));
  const [watts, setWatts] = useState(electricity.watts === null ? '' : String(electricity.watts));
  const [pauseNegative, setPauseNegative] = useState(electricity.pauseWhenNetNegative);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const pricePerKwh = parseNumber(price);
    const draw = parseNumber(watts);
    if (pricePerKwh === null || pricePerKwh < 0 || pricePerKwh > 10) {
      action.fail(localError(t('electricity.invalidPrice')));
      return;
    }
    if (watts.trim() !== '' && (draw === null || draw < 0)) {
      action.fail(localError(t('electricity.invalidWatts')));
      return;
    }
    void action.run(() =>
      updateSettings({
        pricing: {
          electricity: { pricePerKwh, watts: draw, pauseWhenNetNegative: pauseNegative },
        },
      }),
    );
  };

  return (
    <Card title={t('electricity.title')} testId="electricity">
      <form className="form" onSubmit={submit}>
        <div className="form inline">
          <NumberField
            label={t('electricity.price')}
            value={price}
            onChange={setPrice}
            min={0}
            max={10}
            unit={t('units.perKwh')}
            help={t('electricity.priceHelp')}
            testId="electricity-price"
          />
          <NumberField
            label={t('electricity.watts')}
            value={watts}
            onChange={setWatts}
            min={0}
            unit={t('units.watts')}
            help={t('electricity.wattsHelp')}
            testId="electricity-watts"
          />
        </div>
        <CheckField
          label={t('electricity.pauseWhenNegative')}
          checked={pauseNegative}
          onChange={setPauseNegative}
          help={t('electricity.pauseWhenNegativeHelp')}
        />
        <SubmitRow action={action} testId="electricity" />
      </form>
    </Card>
  );
}
