import type { JSX, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActionState } from '../hooks/useAction';
import { ActionStatus } from './ActionStatus';

interface SubmitRowProps {
  action: ActionState;
  /** The button is `${testId}-submit`; the status `${testId}-done` / `${testId}-error`. */
  testId: string;
  /** The button's text; default "Save". */
  label?: ReactNode;
  /** What the status says once done; default "Saved". */
  doneText?: string;
  /** Disabled for a reason other than the action running (e.g. an empty field). */
  disabled?: boolean;
  /** Buttons between the submit button and the status. */
  children?: ReactNode;
}

/** The action's outcome as the submit button's `data-outcome`, beside `data-attempts`. */
function outcomeOf(action: ActionState): 'idle' | 'pending' | 'done' | 'error' {
  if (action.error) return 'error';
  if (action.pending) return 'pending';
  return action.done ? 'done' : 'idle';
}

/** A form's last row: its submit button, disabled while the action runs, and the outcome. */
export function SubmitRow(props: SubmitRowProps): JSX.Element {
  const { t } = useTranslation();
  return (
    <div className="row">
      <button
        type="submit"
        className="primary"
        disabled={props.action.pending || props.disabled}
        data-testid={`${props.testId}-submit`}
        data-attempts={props.action.attempts}
        data-outcome={outcomeOf(props.action)}
      >
        {props.label ?? t('common.save')}
      </button>
      {props.children}
      <ActionStatus action={props.action} testId={props.testId} doneText={props.doneText} />
    </div>
  );
}
