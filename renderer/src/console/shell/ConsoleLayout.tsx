import type { JSX } from 'react';
import { Empty } from '../../components/AsyncStates';
import { useT } from '../i18n/i18n';
import { OverviewScreen } from '../screens/overview/OverviewScreen';
import { ProvidersScreen } from '../screens/providers/ProvidersScreen';
import { RoutingScreen } from '../screens/routing/RoutingScreen';
import { PlaygroundScreen } from '../screens/playground/PlaygroundScreen';
import { LimitsScreen } from '../screens/limits/LimitsScreen';
import { UsageScreen } from '../screens/usage/UsageScreen';
import { AuditScreen } from '../screens/audit/AuditScreen';
import { OrgsScreen } from '../screens/orgs/OrgsScreen';
import { KeysScreen } from '../screens/keys/KeysScreen';
import { NodesScreen } from '../screens/nodes/NodesScreen';
import { useConsoleNav, type ConsoleScreen } from '../stores/consoleNav';
import { useSession } from '../stores/sessionStore';
import { ConsoleNav } from './ConsoleNav';
import { OrgPicker } from './OrgPicker';
import { Preferences } from './Preferences';

const screens: Record<ConsoleScreen, (props: { orgId: string }) => JSX.Element> = {
  overview: OverviewScreen,
  keys: KeysScreen,
  nodes: NodesScreen,
  providers: ProvidersScreen,
  routing: RoutingScreen,
  playground: PlaygroundScreen,
  limits: LimitsScreen,
  usage: UsageScreen,
  audit: AuditScreen,
  orgs: OrgsScreen,
};

/** The navigation, the top bar (org, theme, language, sign out) and the current screen. */
export function ConsoleLayout(): JSX.Element {
  const { t } = useT();
  const screen = useConsoleNav((state) => state.screen);
  const identity = useSession((state) => state.identity);
  const orgId = useSession((state) => state.orgId);
  const signOut = useSession((state) => state.signOut);
  const Current = screens[screen];
  return (
    <div className="layout">
      <aside className="sidebar">
        <div className="brand" data-testid="console-title">
          {t('app.name')}
        </div>
        <ConsoleNav />
      </aside>
      <main className="content" data-testid={`screen-${screen}`}>
        <div className="console-topbar">
          {identity?.kind === 'org' ? (
            <span data-testid="console-org-name">{identity.orgName}</span>
          ) : (
            <span className="muted" data-testid="console-identity">
              {t('shell.operator')}
            </span>
          )}
          <Preferences />
          <button type="button" onClick={() => void signOut()} data-testid="console-signout">
            {t('shell.signOut')}
          </button>
        </div>
        {identity?.kind === 'operator' && <OrgPicker />}
        {orgId ? (
          <Current key={`${screen}:${orgId}`} orgId={orgId} />
        ) : (
          <Empty testId="console-no-org">{t('shell.pickOrg')}</Empty>
        )}
      </main>
    </div>
  );
}
