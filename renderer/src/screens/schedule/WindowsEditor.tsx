import { useState, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ScheduleMode, WeeklyWindow } from '../../../../common/settings';
import { ActionStatus } from '../../components/ActionStatus';
import { Card } from '../../components/Card';
import { useAction } from '../../hooks/useAction';
import { updateSettings } from '../../stores/actions';
import { localError } from '../../stores/uiError';
import { WindowRow } from './WindowRow';

const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Weekly windows for mode "scheduled": days and a start/end time, overnight allowed. */
export function WindowsEditor(props: { windows: WeeklyWindow[]; mode: ScheduleMode }): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const [windows, setWindows] = useState<WeeklyWindow[]>(props.windows);

  const change = (index: number, next: WeeklyWindow) =>
    setWindows((all) => all.map((window, i) => (i === index ? next : window)));
  const remove = (index: number) => setWindows((all) => all.filter((_, i) => i !== index));
  const add = () =>
    setWindows((all) => [...all, { days: [1, 2, 3, 4, 5], start: '22:00', end: '07:00' }]);

  const save = () => {
    if (windows.some((window) => window.days.length === 0)) {
      action.fail(localError(t('windows.needDays')));
      return;
    }
    if (windows.some((window) => !CLOCK.test(window.start) || !CLOCK.test(window.end))) {
      action.fail(localError(t('windows.badTime')));
      return;
    }
    void action.run(() => updateSettings({ schedule: { windows } }));
  };

  return (
    <Card title={t('windows.title')} testId="windows-editor">
      <p className="muted">
        {props.mode === 'scheduled' ? t('windows.activeHelp') : t('windows.inactiveHelp')}
      </p>
      {windows.length === 0 ? (
        <p className="empty" data-testid="windows-empty">
          {t('windows.empty')}
        </p>
      ) : (
        <ul className="windows">
          {windows.map((window, index) => (
            <WindowRow
              key={index}
              index={index}
              window={window}
              onChange={(next) => change(index, next)}
              onRemove={() => remove(index)}
            />
          ))}
        </ul>
      )}
      <div className="row">
        <button type="button" onClick={add} data-testid="window-add">
          {t('windows.add')}
        </button>
        <button
          type="button"
          className="primary"
          onClick={save}
          disabled={action.pending}
          data-testid="windows-save"
        >
          {t('windows.save')}
        </button>
        <ActionStatus action={action} testId="windows" />
      </div>
    </Card>
  );
}
