import { useState, type FormEvent, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScheduleSettings } from '../../../../common/settings';
import { SubmitRow } from '../../components/SubmitRow';
import { Card } from '../../components/Card';
import { CheckField, NumberField, parseNumber } from '../../components/Fields';
import { useAction } from '../../hooks/useAction';
import { updateSettings } from '../../stores/actions';
import { localError } from '../../stores/uiError';

/** The rules that pause serving: idle time, battery, a busy or hot GPU, and grace time. */
export function RulesForm({ schedule }: { schedule: ScheduleSettings }): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const [idleMinutes, setIdleMinutes] = useState(String(schedule.idleThresholdSeconds / 60));
  const [battery, setBattery] = useState(schedule.pauseOnBattery);
  const [gpuBusy, setGpuBusy] = useState(schedule.pauseWhenGpuBusy);
  const [tempOn, setTempOn] = useState(schedule.maxGpuTemperatureC !== null);
  const [temp, setTemp] = useState(String(schedule.maxGpuTemperatureC ?? 85));
  const [freeVram, setFreeVram] = useState(schedule.freeVramWhenPaused);
  const [grace, setGrace] = useState(String(schedule.graceSeconds));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const idle = parseNumber(idleMinutes);
    const graceSeconds = parseNumber(grace);
    const maxTemp = parseNumber(temp);
    if (idle === null || idle < 0 || graceSeconds === null || graceSeconds < 0) {
      action.fail(localError(t('schedule.invalidNumbers')));
      return;
    }
    if (tempOn && (maxTemp === null || maxTemp < 30 || maxTemp > 120)) {
      action.fail(localError(t('schedule.invalidTemperature')));
      return;
    }
    void action.run(() =>
      updateSettings({
        schedule: {
          idleThresholdSeconds: Math.round(idle * 60),
          pauseOnBattery: battery,
          pauseWhenGpuBusy: gpuBusy,
          maxGpuTemperatureC: tempOn ? maxTemp : null,
          freeVramWhenPaused: freeVram,
          graceSeconds: Math.round(graceSeconds),
        },
      }),
    );
  };

  return (
    <Card title={t('schedule.rules')} testId="schedule-rules">
      <form onSubmit={submit} className="form">
        <NumberField
          label={t('schedule.idleThreshold')}
          value={idleMinutes}
          onChange={setIdleMinutes}
          min={0}
          step={0.5}
          unit={t('units.minutes')}
          help={t('schedule.idleThresholdHelp')}
          testId="idle-threshold"
        />
        <CheckField label={t('schedule.pauseOnBattery')} checked={battery} onChange={setBattery} />
        <CheckField
          label={t('schedule.pauseWhenGpuBusy')}
          checked={gpuBusy}
          onChange={setGpuBusy}
          help={t('schedule.pauseWhenGpuBusyHelp')}
        />
        <CheckField label={t('schedule.temperatureRule')} checked={tempOn} onChange={setTempOn} />
        <NumberField
          label={t('schedule.maxTemperature')}
          value={temp}
          onChange={setTemp}
          min={30}
          max={120}
          unit={t('units.celsius')}
          disabled={!tempOn}
          help={t('schedule.maxTemperatureHelp')}
        />
        <CheckField
          label={t('schedule.freeVram')}
          checked={freeVram}
          onChange={setFreeVram}
          help={t('schedule.freeVramHelp')}
        />
        <NumberField
          label={t('schedule.grace')}
          value={grace}
          onChange={setGrace}
          min={0}
          max={3600}
          step={1}
          unit={t('units.seconds')}
          help={t('schedule.graceHelp')}
        />
        <SubmitRow action={action} testId="rules" />
      </form>
    </Card>
  );
}
