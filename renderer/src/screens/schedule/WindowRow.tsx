import { useId, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { WeeklyWindow } from '../../../../common/settings';

/** Monday first; the values stay 0 (Sunday) to 6 (Saturday) as the settings want. */
const DAY_ORDER = [1, 2, 3, 4, 5, 6, 0] as const;

interface Props {
  index: number;
  window: WeeklyWindow;
  onChange: (window: WeeklyWindow) => void;
  onRemove: () => void;
}

/** One weekly window: its days, start and end. An end at or before the start runs overnight. */
export function WindowRow({ index, window, onChange, onRemove }: Props): JSX.Element {
  const { t } = useTranslation();
  const id = useId();
  const toggleDay = (day: number, on: boolean) =>
    onChange({
      ...window,
      days: on
        ? [...window.days, day].sort((a, b) => a - b)
        : window.days.filter((value) => value !== day),
    });
  const overnight = window.end <= window.start;
  return (
    <li className="window" data-testid="window-row">
      <fieldset className="days">
        <legend>{t('windows.days', { number: index + 1 })}</legend>
        {DAY_ORDER.map((day) => (
          <label key={day} className="day">
            <input
              type="checkbox"
              checked={window.days.includes(day)}
              onChange={(event) => toggleDay(day, event.target.checked)}
              data-testid={`window-day-${day}`}
            />
            {t(`days.${day}`)}
          </label>
        ))}
      </fieldset>
      <div className="row">
        <label htmlFor={`${id}-start`}>{t('windows.start')}</label>
        <input
          id={`${id}-start`}
          type="time"
          value={window.start}
          onChange={(event) => onChange({ ...window, start: event.target.value })}
          data-testid="window-start"
        />
        <label htmlFor={`${id}-end`}>{t('windows.end')}</label>
        <input
          id={`${id}-end`}
          type="time"
          value={window.end}
          onChange={(event) => onChange({ ...window, end: event.target.value })}
          data-testid="window-end"
        />
        <span className="muted" data-testid="window-span">
          {window.start === window.end
            ? t('windows.wholeDay')
            : overnight
              ? t('windows.overnight')
              : t('windows.sameDay')}
        </span>
        <button
          type="button"
          className="link-button"
          onClick={onRemove}
          data-testid="window-remove"
        >
          {t('windows.remove')}
        </button>
      </div>
    </li>
  );
}
