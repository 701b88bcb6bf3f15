import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { GpuInfo } from '../../../../common/hardware';
import { ResourceView } from '../../components/AsyncStates';
import { Card } from '../../components/Card';
import { useFormat } from '../../hooks/useFormat';
import { usePolling } from '../../hooks/usePolling';
import { useHardware } from '../../stores/engineStores';

const REFRESH_MS = 5000;

/** Each GPU's load, memory and temperature, refreshed every few seconds. */
export function GpuPanel(): JSX.Element {
  const { t } = useTranslation();
  const hardware = useHardware();
  usePolling(() => useHardware.getState().load(), REFRESH_MS);
  return (
    <Card title={t('gpu.title')} testId="gpu-panel">
      <ResourceView
        {...hardware}
        onRetry={() => void hardware.load()}
        empty={{
          when: (report) => report.gpus.length === 0,
          text: t('gpu.none'),
          testId: 'gpu-empty',
        }}
      >
        {(report) => (
          <ul className="gpu-list">
            {report.gpus.map((gpu) => (
              <GpuRow key={`${gpu.source}-${gpu.index}`} gpu={gpu} />
            ))}
          </ul>
        )}
      </ResourceView>
    </Card>
  );
}

function GpuRow({ gpu }: { gpu: GpuInfo }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const unknown = t('common.unknown');
  const used =
    gpu.vramTotalMB !== null && gpu.vramFreeMB !== null ? gpu.vramTotalMB - gpu.vramFreeMB : null;
  return (
    <li className="gpu" data-testid="gpu-row">
      <div className="gpu-name">{gpu.model}</div>
      <dl className="facts">
        <dt>{t('gpu.utilization')}</dt>
        <dd>
          {gpu.utilizationPercent === null ? unknown : format.percent(gpu.utilizationPercent)}
          {gpu.utilizationPercent !== null && (
            <meter min={0} max={100} value={gpu.utilizationPercent} aria-hidden="true" />
          )}
        </dd>
        <dt>{t('gpu.vram')}</dt>
        <dd>
          {used === null || gpu.vramTotalMB === null
            ? unknown
            : t('gpu.vramUsed', {
                used: format.megabytes(used),
                total: format.megabytes(gpu.vramTotalMB),
              })}
        </dd>
        <dt>{t('gpu.temperature')}</dt>
        <dd>
          {gpu.temperatureC === null ? unknown : t('gpu.celsius', { value: gpu.temperatureC })}
        </dd>
        <dt>{t('gpu.power')}</dt>
        <dd>{gpu.powerDrawW === null ? unknown : t('gpu.watts', { value: gpu.powerDrawW })}</dd>
      </dl>
    </li>
  );
}
