/** Who is signed in to the console, and which organization the screens show. */
import { create } from 'zustand';
import type { AdminIdentity, ConsoleSession } from '../../../../common/adminRecords';
import { onSessionExpired, sessionApi, setCsrfToken } from '../api/consoleApi';

export type SessionState = 'checking' | 'signed-out' | 'signed-in';

interface SessionStore {
  state: SessionState;
  identity: AdminIdentity | null;
  /** Why the sign-in screen shows (the session expired), or null. */
  notice: 'expired' | null;
  /** The organization the screens show: the operator's pick, or the org admin's own. */
  orgId: string | null;
  /** Bumped when an organization is created, so every list of them reloads. */
  orgsVersion: number;
  check(): Promise<void>;
  signIn(secret: string): Promise<void>;
  signOut(): Promise<void>;
  expire(): void;
  pickOrg(orgId: string | null): void;
  orgsChanged(): void;
}

function signedIn(session: ConsoleSession) {
  setCsrfToken(session.csrfToken);
  const identity = session.identity;
  return {
    state: 'signed-in' as const,
    identity,
    notice: null,
    orgId: identity.kind === 'org' ? identity.orgId : null,
  };
}

const signedOut = (notice: 'expired' | null) => {
  setCsrfToken('');
  return { state: 'signed-out' as const, identity: null, notice, orgId: null };
};

export const useSession = create<SessionStore>()((set) => ({
  state: 'checking',
  identity: null,
  notice: null,
  orgId: null,
  orgsVersion: 0,
  async check() {
    try {
      const session = await sessionApi.current();
      if (session === null || session === 'expired')
        set(signedOut(session === 'expired' ? 'expired' : null));
      else set(signedIn(session));
    } catch {
      set(signedOut(null));
    }
  },
  async signIn(secret) {
    set(signedIn(await sessionApi.signIn(secret)));
  },
  async signOut() {
    try {
      await sessionApi.signOut();
    } finally {
      set(signedOut(null));
    }
  },
  expire: () => set(signedOut('expired')),
  pickOrg: (orgId) => set({ orgId }),
  orgsChanged: () => set((state) => ({ orgsVersion: state.orgsVersion + 1 })),
}));

onSessionExpired(() => useSession.getState().expire());

/** The organization the screens show (null: the operator has not picked one). */
export const useOrgId = (): string | null => useSession((state) => state.orgId);
