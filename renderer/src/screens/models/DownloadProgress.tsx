import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { DownloadView } from '../../../../common/nodeApi';
import { useFormat } from '../../hooks/useFormat';

/** A download's progress bar and figures. */
export function DownloadProgress({ download }: { download: DownloadView }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const { receivedBytes, totalBytes, bytesPerSecond } = download;
  const label = t('models.progress', {
    received: format.bytes(receivedBytes),
    total: totalBytes === null ? t('common.unknown') : format.bytes(totalBytes),
  });
  return (
    <div className="progress">
      <progress
        max={totalBytes ?? undefined}
        value={totalBytes === null && download.state === 'downloading' ? undefined : receivedBytes}
        aria-label={label}
        data-testid="download-progress"
      />
      <span className="muted small">
        {label}
        {bytesPerSecond !== null &&
          download.state === 'downloading' &&
          ` · ${t('models.speed', { speed: format.bytes(bytesPerSecond) })}`}
      </span>
    </div>
  );
}
