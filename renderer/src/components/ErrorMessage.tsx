import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { UiError } from '../stores/uiError';

interface Props {
  error: UiError;
  onRetry?: () => void;
  testId?: string;
}

/** An error in words: the API's message, or what happened to the connection. */
export function ErrorMessage({ error, onRetry, testId }: Props): JSX.Element {
  const { t } = useTranslation();
  const text = error.connection
    ? t(`errors.connection.${error.connection}`)
    : t('errors.api', { message: error.message });
  return (
    <div className="error" role="alert" data-testid={testId ?? 'error-message'}>
      <span>{text}</span>
      {onRetry && (
        <button type="button" className="link-button" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
