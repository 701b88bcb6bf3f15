import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { DownloadView } from '../../../../common/nodeApi';
import { ActionStatus } from '../../components/ActionStatus';
import { Card } from '../../components/Card';
import { useAction } from '../../hooks/useAction';
import { cancelDownload } from '../../stores/actions';
import { DownloadProgress } from './DownloadProgress';

/** Downloads, running and recent, with progress and cancel. */
export function DownloadsList({ downloads }: { downloads: DownloadView[] }): JSX.Element {
  const { t } = useTranslation();
  return (
    <Card title={t('models.downloads')} testId="downloads">
      {downloads.length === 0 ? (
        <p className="empty" data-testid="downloads-empty">
          {t('models.noDownloads')}
        </p>
      ) : (
        <ul className="list">
          {downloads.map((download) => (
            <DownloadRow key={download.id} download={download} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function DownloadRow({ download }: { download: DownloadView }): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const running = download.state === 'downloading' || download.state === 'verifying';
  return (
    <li className="list-row" data-testid="download-row">
      <div className="grow">
        <strong>{download.file}</strong>{' '}
        <span className={`badge download-${download.state}`} data-testid="download-state">
          {t(`models.downloadState.${download.state}`)}
        </span>
        <DownloadProgress download={download} />
        {download.error && (
          <p className="error" role="alert">
            {t('errors.api', { message: download.error })}
          </p>
        )}
      </div>
      {running && (
        <button
          type="button"
          onClick={() => void action.run(() => cancelDownload(download.id))}
          disabled={action.pending}
          data-testid="download-cancel"
        >
          {t('common.cancel')}
        </button>
      )}
      <ActionStatus action={action} doneText={t('models.cancelled')} />
    </li>
  );
}
