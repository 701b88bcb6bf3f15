import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ActionState } from '../hooks/useAction';
import { ErrorMessage } from './ErrorMessage';

/** What became of a form's last action: working, saved, or the error. */
export function ActionStatus({
  action,
  testId,
  doneText,
}: {
  action: ActionState;
  testId?: string;
  doneText?: string;
}): JSX.Element | null {
  const { t } = useTranslation();
  if (action.error)
    return <ErrorMessage error={action.error} testId={testId && `${testId}-error`} />;
  if (action.pending) {
    return (
      <span className="muted" role="status">
        {t('common.working')}
      </span>
    );
  }
  if (action.done) {
    return (
      <span className="ok" role="status" data-testid={testId && `${testId}-done`}>
        {doneText ?? t('common.saved')}
      </span>
    );
  }
  return null;
}
