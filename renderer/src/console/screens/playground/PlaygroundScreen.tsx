import type { JSX } from 'react';
import type { RouteView } from '../../../../../common/adminRecords';
import { ScreenTitle } from '../../../components/ScreenTitle';
import { adminList } from '../../api/consoleApi';
import { playgroundModels } from '../../api/playgroundApi';
import { useResource } from '../../hooks/useResource';
import { useT } from '../../i18n/i18n';
import { ChatSettings } from './ChatSettings';
import { ChatTranscript } from './ChatTranscript';
import { PromptForm } from './PromptForm';
import { RunStats } from './RunStats';

/**
 * Chat with any model the organization reaches, streamed through the client API as its own
 * clients would be (billed to one of its API keys), with the route that served, the time to
 * first token, the tokens and the cost; a route can be pinned.
 */
export function PlaygroundScreen({ orgId }: { orgId: string }): JSX.Element {
  const { t } = useT();
  const models = useResource(() => playgroundModels(orgId), [orgId]);
  const routes = useResource(() => adminList<RouteView>('/routes'), []);
  return (
    <>
      <ScreenTitle testId="playground-title">{t('playground.title')}</ScreenTitle>
      <ChatSettings models={models} routes={routes} />
      <ChatTranscript orgId={orgId} />
      <PromptForm orgId={orgId} />
      <RunStats />
    </>
  );
}
