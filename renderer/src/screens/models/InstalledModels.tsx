import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModelLibrary } from '../../../../common/nodeApi';
import { ActionStatus } from '../../components/ActionStatus';
import { Card } from '../../components/Card';
import { useAction } from '../../hooks/useAction';
import { useFormat } from '../../hooks/useFormat';
import { serveModel } from '../../stores/actions';
import { useStatus } from '../../stores/engineStores';

interface Row {
  id: string;
  detail: string;
  served: boolean;
}

/**
 * The models folder's GGUF files, and models served from elsewhere (`byoi-node --model
 * <path>`): served or not, and offered to the network or not.
 */
export function InstalledModels({ library }: { library: ModelLibrary }): JSX.Element {
  const { t } = useTranslation();
  const format = useFormat();
  const servedIds = useStatus((state) => state.data?.models.map((model) => model.id).join('\n'));
  const rows: Row[] = library.installed.map((model) => ({
    id: model.id,
    detail: `${model.file} · ${format.bytes(model.sizeBytes)}`,
    served: model.served,
  }));
  for (const id of servedIds ? servedIds.split('\n') : []) {
    if (!rows.some((row) => row.id === id)) {
      rows.push({ id, detail: t('models.external'), served: true });
    }
  }
  return (
    <Card title={t('models.installed')} testId="installed-models">
      <p className="muted small">{t('models.folder', { folder: library.folder })}</p>
      {rows.length === 0 ? (
        <p className="empty" data-testid="installed-empty">
          {t('models.noneInstalled')}
        </p>
      ) : (
        <ul className="list">
          {rows.map((row) => (
            <InstalledRow key={row.id} row={row} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function InstalledRow({ row }: { row: Row }): JSX.Element {
  const { t } = useTranslation();
  const action = useAction();
  const announced = useStatus(
    (state) =>
      state.data?.link.state === 'online' &&
      state.data.models.some((entry) => entry.id === row.id && entry.loaded),
  );
  return (
    <li className="list-row" data-testid={`installed-${row.id}`}>
      <div>
        <strong>{row.id}</strong>
        <div className="muted small">{row.detail}</div>
      </div>
      <div className="row">
        <span className={`badge ${row.served ? 'serving' : 'waiting'}`} data-testid="served">
          {row.served ? t('models.served') : t('models.notServed')}
        </span>
        {row.served && (
          <span className={`badge ${announced ? 'ok' : 'na'}`} data-testid="announced">
            {announced ? t('models.announced') : t('models.notAnnounced')}
          </span>
        )}
        <button
          type="button"
          onClick={() => void action.run(() => serveModel(row.id, !row.served))}
          disabled={action.pending}
          data-testid="serve-toggle"
        >
          {row.served ? t('models.stopServing') : t('models.serve')}
        </button>
        <ActionStatus action={action} doneText={t('common.done')} />
      </div>
    </li>
  );
}
