import { useEffect, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ResourceView } from '../../components/AsyncStates';
import { useFormat } from '../../hooks/useFormat';
import { useReasonText } from '../../hooks/useReasonText';
import { useHardware } from '../../stores/engineStores';

/** What the engine found: CPU, memory, GPUs and the backend it will use. */
export function HardwareStep(): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const reasonText = useReasonText();
  const hardware = useHardware();
  useEffect(() => {
    void useHardware.getState().load();
  }, []);
  return (
    <ResourceView {...hardware} onRetry={() => void hardware.load()}>
      {(report) => (
        <>
          <p data-testid="hardware-summary">{reasonText(report.summaryCode, report.summary)}</p>
          <dl className="facts">
            <dt>{t('hardware.cpu')}</dt>
            <dd>
              {t('hardware.cpuFacts', {
                brand: report.cpu.brand,
                physical: report.cpu.physicalCores,
                logical: report.cpu.logicalCores,
              })}
            </dd>
            <dt>{t('hardware.memory')}</dt>
            <dd>
              {report.memoryTotalMB === null
                ? t('common.unknown')
                : format.megabytes(report.memoryTotalMB)}
            </dd>
            <dt>{t('hardware.backend')}</dt>
            <dd>{report.recommendedBackend}</dd>
            <dt>{t('hardware.gpus')}</dt>
            <dd>
              {report.gpus.length === 0 ? (
                t('hardware.noGpu')
              ) : (
                <ul>
                  {report.gpus.map((gpu) => (
                    <li key={`${gpu.source}-${gpu.index}`}>
                      {gpu.model}
                      {gpu.vramTotalMB !== null &&
                        ` · ${t('hardware.vram', { vram: format.megabytes(gpu.vramTotalMB) })}`}
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </dl>
        </>
      )}
    </ResourceView>
  );
}
