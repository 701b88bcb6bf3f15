import type { JSX } from 'react';
import { useTranslation } from 'react-i18next';
import type { CatalogModel, ModelLibrary } from '../../../../common/nodeApi';
import { ActionStatus } from '../../components/ActionStatus';
import { Card } from '../../components/Card';
import { useAction } from '../../hooks/useAction';
import { useFormat } from '../../hooks/useFormat';
import { downloadModel } from '../../stores/actions';

/** Models worth running, with whether they fit this machine. */
export function CatalogList({ library }: { library: ModelLibrary }): JSX.Element {
  const { t } = useTranslation();
  return (
    <Card title={t('models.catalog')} testId="catalog">
      {library.catalog.length === 0 ? (
        <p className="empty">{t('models.emptyCatalog')}</p>
      ) : (
        <ul className="list">
          {library.catalog.map((model) => (
            <CatalogRow key={model.id} model={model} library={library} />
          ))}
        </ul>
      )}
    </Card>
  );
}

/** The state of a catalog model here: installed, downloading, or neither. */
export function catalogState(model: CatalogModel, library: ModelLibrary) {
  if (library.installed.some((entry) => entry.id === model.id)) return 'installed' as const;
  const running = library.downloads.find(
    (entry) =>
      entry.url === model.url && (entry.state === 'downloading' || entry.state === 'verifying'),
  );
  return running ? ('downloading' as const) : ('available' as const);
}

export function CatalogRow(props: {
  model: CatalogModel;
  library: ModelLibrary;
  onInstalled?: (id: string) => void;
}): JSX.Element {
  const { model, library } = props;
  const { t } = useTranslation();
  const format = useFormat();
  const action = useAction();
  const state = catalogState(model, library);
  const start = () =>
    action.run(() =>
      downloadModel({ url: model.url, ...(model.sha256 ? { sha256: model.sha256 } : {}) }),
    );
  return (
    <li className="list-row" data-testid={`catalog-${model.id}`}>
      <div className="grow">
        <strong>{model.name}</strong>{' '}
        {model.recommended && <span className="badge ok">{t('models.recommended')}</span>}{' '}
        <span className={`badge ${model.fits ? 'serving' : 'problem'}`}>
          {model.fits ? t('models.fits') : t('models.tooBig')}
        </span>
        <div className="muted small">
          {t('models.catalogFacts', {
            size: format.bytes(model.sizeBytes),
            memory: format.megabytes(model.minMemoryMB),
          })}
        </div>
      </div>
      {state === 'installed' ? (
        <span className="muted">{t('models.isInstalled')}</span>
      ) : (
        <button
          type="button"
          onClick={() => void start()}
          disabled={action.pending || state === 'downloading'}
          data-testid="catalog-download"
        >
          {state === 'downloading' ? t('models.downloading') : t('models.download')}
        </button>
      )}
      <ActionStatus action={action} doneText={t('models.started')} />
    </li>
  );
}
