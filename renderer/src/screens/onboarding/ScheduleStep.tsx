import { useEffect, useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScheduleMode } from '../../../../common/settings';
import { NumberField, parseNumber } from '../../components/Fields';
import { updateSettings } from '../../stores/actions';
import { useSettings } from '../../stores/engineStores';
import type { StepCommit } from './stepCommit';

const MODES: readonly ScheduleMode[] = ['idle', 'always', 'scheduled'];

/** When to serve: while idle, always, or in weekly windows (edited later on Schedule). */
export function ScheduleStep({
  register,
}: {
  register: (commit: StepCommit | null) => void;
}): JSX.Element {
  const { t } = useTranslation();
  const schedule = useSettings((state) => state.data?.schedule);
  const [mode, setMode] = useState<ScheduleMode>(schedule?.mode ?? 'idle');
  const [idle, setIdle] = useState(String((schedule?.idleThresholdSeconds ?? 300) / 60));

  useEffect(() => {
    register(async () => {
      const minutes = parseNumber(idle);
      if (minutes === null || minutes < 0 || minutes > 1440) {
        throw new Error(t('schedule.invalidNumbers'));
      }
      await updateSettings({
        schedule: { mode, idleThresholdSeconds: Math.round(minutes * 60) },
      });
      return true;
    });
    return () => register(null);
  }, [register, mode, idle, t]);

  return (
    <>
      <fieldset className="radio-group">
        <legend>{t('schedule.mode')}</legend>
        {MODES.map((value) => (
          <label key={value} className="radio-card">
            <input
              type="radio"
              name="onboarding-mode"
              checked={mode === value}
              onChange={() => setMode(value)}
              data-testid={`onboarding-mode-${value}`}
            />
            <span className="radio-title">{t(`mode.${value}`)}</span>
            <span className="help">{t(`modeHelp.${value}`)}</span>
          </label>
        ))}
      </fieldset>
      <NumberField
        label={t('schedule.idleThreshold')}
        value={idle}
        onChange={setIdle}
        min={0}
        step={0.5}
        unit={t('units.minutes')}
        help={t('schedule.idleThresholdHelp')}
        disabled={mode !== 'idle'}
        testId="onboarding-idle"
      />
      {mode === 'scheduled' && <p className="muted">{t('onboarding.schedule.windowsLater')}</p>}
    </>
  );
}
