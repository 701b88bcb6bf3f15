import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { useAction } from '../hooks/useAction';
import { useUpdateStatus } from '../hooks/useUpdateStatus';
import { useStatus } from '../stores/engineStores';
import { ActionStatus } from './ActionStatus';

/**
 * "Update required" when the network refuses this version of the node, and "Restart to
 * update" once the app has downloaded a newer version.
 */
export function UpdateBanner(): JSX.Element | null {
  const { t } = useTranslation();
  const action = useAction();
  const required = useStatus((state) => state.data?.link.updateRequired ?? false);
  const { status, updates } = useUpdateStatus();
  const ready = status?.state === 'downloaded' && updates !== null;
  if (!ready && !required) return null;
  const message = ready
    ? t('update.ready', { version: status.version })
    : updates
      ? t(status?.state === 'downloading' ? 'update.requiredDownloading' : 'update.requiredApp')
      : t('update.requiredHeadless');
  return (
    <div className={`banner ${required ? 'bad' : 'ok'}`} role="alert" data-testid="update-banner">
      {required && <strong data-testid="update-required">{t('update.required')} </strong>}
      <span data-testid="update-message">{message}</span>
      {ready && (
        <div className="row">
          <button
            type="button"
            className="primary"
            onClick={() => void action.run(() => updates.restartToUpdate())}
            disabled={action.pending}
            data-testid="restart-to-update"
          >
            {t('update.restart')}
          </button>
          <ActionStatus action={action} testId="restart-to-update" />
        </div>
      )}
    </div>
  );
}
