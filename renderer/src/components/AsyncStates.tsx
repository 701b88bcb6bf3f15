import type { JSX, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { UiError } from '../stores/uiError';
import { ErrorMessage } from './ErrorMessage';

export function Loading({ label }: { label?: string }): JSX.Element {
  const { t } = useTranslation();
  return (
    <p className="muted" role="status" aria-live="polite" data-testid="loading">
      {label ?? t('common.loading')}
    </p>
  );
}

export function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <p className="empty" data-testid={testId ?? 'empty'}>
      {children}
    </p>
  );
}

interface ResourceViewProps<T> {
  data: T | null;
  loading: boolean;
  error: UiError | null;
  onRetry: () => void;
  /** Shown instead of `children` when the data is there but holds nothing. */
  empty?: { when: (data: T) => boolean; text: ReactNode; testId?: string };
  children: (data: T) => ReactNode;
}

/**
 * The loading, error and empty states of one resource, then its content. Data already
 * shown stays on screen when a refresh fails; the error shows above it.
 */
export function ResourceView<T>(props: ResourceViewProps<T>): JSX.Element {
  const { data, error, onRetry, empty, children } = props;
  if (data === null) {
    if (error) return <ErrorMessage error={error} onRetry={onRetry} />;
    return <Loading />;
  }
  return (
    <>
      {error && <ErrorMessage error={error} onRetry={onRetry} />}
      {empty?.when(data) ? <Empty testId={empty.testId}>{empty.text}</Empty> : children(data)}
    </>
  );
}
