import { useEffect, type JSX } from 'react';
import { useTranslation } from 'react-i18next';
import { ResourceView } from '../../components/AsyncStates';
import { ScreenTitle } from '../../components/ScreenTitle';
import { useModels } from '../../stores/engineStores';
import { CatalogList } from './CatalogList';
import { DownloadUrlForm } from './DownloadUrlForm';
import { DownloadsList } from './DownloadsList';
import { InstalledModels } from './InstalledModels';

/** Installed models (serve or stop), downloads with progress, and the catalog. */
export function Models(): JSX.Element {
  const { t } = useTranslation();
  const models = useModels();
  useEffect(() => {
    void useModels.getState().load();
  }, []);
  return (
    <>
      <ScreenTitle>{t('models.title')}</ScreenTitle>
      <ResourceView {...models} onRetry={() => void models.load()}>
        {(library) => (
          <>
            <InstalledModels library={library} />
            <DownloadsList downloads={library.downloads} />
            <CatalogList library={library} />
            <DownloadUrlForm />
          </>
        )}
      </ResourceView>
    </>
  );
}
