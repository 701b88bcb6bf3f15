import { useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScheduleMode, ScheduleSettings } from '../../../../common/settings';
import { ActionStatus } from '../../components/ActionStatus';
import { Card } from '../../components/Card';
import { useAction } from '../../hooks/useAction';
import { useFormat } from '../../hooks/useFormat';
import { useReasonText } from '../../hooks/useReasonText';
import { pause, resume, setMode } from '../../stores/actions';
import { useStatus } from '../../stores/engineStores';

const MODES: readonly ScheduleMode[] = ['idle', 'always', 'scheduled', 'paused'];

/** The mode (radio buttons), the schedule's live state, and pause for 1 h / resume. */
export function ModeSwitch({ schedule }: { schedule: ScheduleSettings }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const reasonText = useReasonText();
  const action = useAction();
  // The choice shows at once; it falls back to the engine's mode if the change fails.
  const [chosen, setChosen] = useState<ScheduleMode | null>(null);
  const shownMode = action.pending && chosen ? chosen : schedule.mode;
  const choose = (mode: ScheduleMode) => {
    setChosen(mode);
    void action.run(() => setMode(mode));
  };
  const live = useStatus((state) => state.data?.schedule ?? null);
  const pausedUntil = schedule.pausedUntil;
  const pausedNow = schedule.mode === 'paused' || pausedUntil !== null;
  return (
    <Card title={t('schedule.mode')} testId="mode-switch">
      {live && (
        <p className="status-line">
          <span className={`badge ${live.state}`} data-testid="schedule-live-state">
            {t(`state.${live.state}`)}
          </span>
          <span data-testid="schedule-live-reason">{reasonText(live.reasonCode, live.reason)}</span>
        </p>
      )}
      <fieldset className="radio-group">
        <legend className="sr-only">{t('schedule.mode')}</legend>
        {MODES.map((mode) => (
          <label key={mode} className="radio-card">
            <input
              type="radio"
              name="schedule-mode"
              value={mode}
              checked={shownMode === mode}
              disabled={action.pending}
              onChange={() => choose(mode)}
              data-testid={`mode-${mode}`}
            />
            <span className="radio-title">{t(`mode.${mode}`)}</span>
            <span className="help">{t(`modeHelp.${mode}`)}</span>
          </label>
        ))}
      </fieldset>
      <div className="row">
        <button
          type="button"
          onClick={() => void action.run(() => pause(60))}
          disabled={action.pending}
          data-testid="pause-hour"
        >
          {t('schedule.pauseHour')}
        </button>
        <button
          type="button"
          onClick={() => void action.run(() => resume())}
          disabled={action.pending || !pausedNow}
          data-testid="resume"
        >
          {t('schedule.resume')}
        </button>
        {pausedUntil && (
          <span className="muted" data-testid="paused-until">
            {t('schedule.pausedUntil', { time: format.dateTime(pausedUntil) })}
          </span>
        )}
      </div>
      <ActionStatus action={action} testId="mode" />
    </Card>
  );
}
