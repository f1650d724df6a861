import { isProblem, type OnasisError } from '@onasis/client';
import { type ComponentChildren, createContext } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { client, goToSignIn } from './api.js';
import { ProblemBox } from './components/problem-box.js';

const loadMe = () => client.GET('/api/v1/users/me');

/** The signed-in user as `/api/v1/users/me` answers it, with the permissions of this session. */
export type Me = Awaited<ReturnType<typeof loadMe>>;

/** What every page may ask of the session. */
export interface Session {
  me: Me;
  /** Whether the session holds `permission` ('authenticated': any signed-in user). */
  can: (permission: string) => boolean;
  /** Reads the user again (after a profile change). */
  reload: () => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

/** The session of the page, for components under `<SessionProvider>`. */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}

/** Loads the signed-in user once; anyone not signed in goes to the sign-in page. */
export function SessionProvider({ children }: { children: ComponentChildren }) {
  const [me, setMe] = useState<Me | null>(null);
  const [failure, setFailure] = useState<OnasisError | null>(null);

  const reload = useCallback(async () => {
    try {
      setMe(await loadMe());
    } catch (err) {
      if (isProblem(err) && err.status === 401) goToSignIn();
      else if (isProblem(err)) setFailure(err);
      else throw err;
    }
  }, []);

  useEffect(() => {
    void reload();
  }, [reload]);

  if (failure) {
    return (
      <main class="centered">
        <h1>The console cannot start</h1>
        <ProblemBox error={failure} />
      </main>
    );
  }
  if (!me) return <p class="loading centered">Loading…</p>;

  const session: Session = {
    me,
    can: (permission) => permission === 'authenticated' || me.permissions.includes(permission),
    reload,
    signOut: async () => {
      await client.signOut().catch(() => undefined);
      location.assign('/console/sign-in');
    },
  };
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
