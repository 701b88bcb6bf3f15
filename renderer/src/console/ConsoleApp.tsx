import type { JSX } from 'react';
import { Loading } from '../components/AsyncStates';
import { ConsoleLayout } from './shell/ConsoleLayout';
import { SignIn } from './shell/SignIn';
import { useConsoleAppearance } from './shell/useConsoleAppearance';
import { useSession } from './stores/sessionStore';

/** The console: the sign-in screen until there is a session, then the screens. */
export function ConsoleApp(): JSX.Element {
  useConsoleAppearance();
  const state = useSession((store) => store.state);
  if (state === 'checking') {
    return (
      <main className="center" data-testid="console-checking">
        <Loading />
      </main>
    );
  }
  return state === 'signed-in' ? <ConsoleLayout /> : <SignIn />;
}
