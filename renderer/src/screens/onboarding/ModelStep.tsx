import { useEffect, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ActionStatus } from '../../components/ActionStatus';
import { Loading } from '../../components/AsyncStates';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useAction } from '../../hooks/useAction';
import { serveModel } from '../../stores/actions';
import { useModels, useStatus } from '../../stores/engineStores';
import { CatalogRow } from '../models/CatalogList';
import { DownloadsList } from '../models/DownloadsList';

interface Choice {
  id: string;
  served: boolean;
}

/** Pick an installed model, or download the recommended one that fits this machine. */
export function ModelStep(props: {
  selected: string | null;
  onSelect: (id: string) => void;
}): JSX.Element {
  const { selected, onSelect } = props;
  const { t } = useTranslation();
  const models = useModels();
  const served = useStatus((state) => state.data?.models);
  const action = useAction();
  useEffect(() => {
    void useModels.getState().load();
  }, []);

  const library = models.data;
  // Installed files, plus models served from elsewhere (`byoi-node --model <path>`).
  const installed: Choice[] = (library?.installed ?? []).map((model) => ({
    id: model.id,
    served: model.served,
  }));
  const choices = [
    ...installed,
    ...(served ?? [])
      .filter((model) => !installed.some((choice) => choice.id === model.id))
      .map((model) => ({ id: model.id, served: true })),
  ];
  const firstServed = choices.find((choice) => choice.served)?.id ?? null;
  useEffect(() => {
    if (selected === null && firstServed !== null) onSelect(firstServed);
  }, [selected, firstServed, onSelect]);

  const choose = (choice: Choice) => {
    if (choice.served) return onSelect(choice.id);
    void action.run(async () => {
      await serveModel(choice.id, true);
      onSelect(choice.id);
    });
  };
  const suggestions = library?.catalog.filter((model) => model.fits) ?? [];

  return (
    <>
      <p className="muted">{t('onboarding.model.intro')}</p>
      {models.error && <ErrorMessage error={models.error} onRetry={() => void models.load()} />}
      {!library && models.loading && <Loading />}
      <h3>{t('onboarding.model.installed')}</h3>
      {choices.length === 0 ? (
        <p className="empty">{t('onboarding.model.noneInstalled')}</p>
      ) : (
        <fieldset className="radio-group">
          <legend className="sr-only">{t('onboarding.model.installed')}</legend>
          {choices.map((choice) => (
            <label key={choice.id} className="radio-card">
              <input
                type="radio"
                name="onboarding-model"
                checked={selected === choice.id}
                disabled={action.pending}
                onChange={() => choose(choice)}
                data-testid={`onboarding-model-${choice.id}`}
              />
              <span className="radio-title">{choice.id}</span>
              <span className="help">
                {choice.served ? t('models.served') : t('onboarding.model.willServe')}
              </span>
            </label>
          ))}
        </fieldset>
      )}
      <ActionStatus action={action} doneText={t('onboarding.model.chosen')} />
      {library && (
        <>
          <h3>{t('onboarding.model.suggested')}</h3>
          {suggestions.length === 0 ? (
            <p className="empty">{t('onboarding.model.noSuggestion')}</p>
          ) : (
            <ul className="list">
              {suggestions.map((model) => (
                <CatalogRow key={model.id} model={model} library={library} />
              ))}
            </ul>
          )}
          {library.downloads.length > 0 && <DownloadsList downloads={library.downloads} />}
        </>
      )}
    </>
  );
}
