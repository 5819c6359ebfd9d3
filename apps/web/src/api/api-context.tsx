import { createFlywheelClient, type FlywheelClient, FlywheelError } from '@flywheel/sdk';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { readSession, type SessionStorageLike, type StoredSession, writeSession } from './session-store.js';

/** Where the UI finds the server and keeps its session; `main.tsx` passes the browser's, tests their own. */
export interface ApiEnvironment {
  /** The server's origin: the UI is served by the server it talks to. */
  baseUrl: string;
  storage: SessionStorageLike;
  /** The fetch the SDK uses (default: the browser's). */
  fetch?: typeof globalThis.fetch;
}

/** The signed-in state and what changes it. */
export interface SessionState {
  session: StoredSession | undefined;
  /** Why the last session ended, when the UI ended it (shown on the sign-in page). */
  notice: string | undefined;
  /** Starts a session with a key the server accepted. */
  signIn(apiKey: string): void;
  /** Ends the session, clears every cached answer, and optionally says why. */
  signOut(notice?: string): void;
  /** Acts in another project (instance-admin keys); undefined goes back to the key's own. */
  selectProject(projectId: string | undefined): void;
  /** A client for any key, e.g. to check one before signing in with it. */
  clientFor(apiKey: string, projectId?: string): FlywheelClient;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

/**
 * Holds the session (API key and chosen project, in session storage) and the TanStack Query
 * client. A query that fails because the key is no longer accepted ends the session.
 */
export function ApiProvider({ environment, children }: { environment: ApiEnvironment; children: ReactNode }) {
  const [session, setSession] = useState(() => readSession(environment.storage));
  const [notice, setNotice] = useState<string | undefined>(undefined);

  const update = useCallback(
    (next: StoredSession | undefined) => {
      writeSession(environment.storage, next);
      setSession(next);
    },
    [environment.storage],
  );

  // The query cache is created once; its error handler sees the current session through this ref.
  const onQueryError = useRef<(error: unknown) => void>(() => {});
  const [queryClient] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: (error) => onQueryError.current(error) }),
        defaultOptions: {
          queries: {
            // Only what may succeed later is retried (busy storage, an unreachable server).
            retry: (failures, error) => FlywheelError.is(error) && error.isRetryable && failures < 2,
            staleTime: 30_000,
            refetchOnWindowFocus: false,
          },
        },
      }),
  );

  const endSession = useCallback(
    (why?: string) => {
      update(undefined);
      setNotice(why);
      queryClient.clear();
    },
    [update, queryClient],
  );

  useEffect(() => {
    onQueryError.current = (error) => {
      if (!FlywheelError.is(error) || !session) return;
      if (error.code === 'invalid_api_key' || error.code === 'missing_api_key') {
        endSession(`The server no longer accepts this API key: ${error.message}`);
      } else if (error.code === 'project_not_found' && session.projectId !== undefined) {
        // The chosen project is gone: back to the key's own.
        update({ ...session, projectId: undefined });
      }
    };
  }, [session, endSession, update]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      notice,
      signIn: (apiKey) => {
        queryClient.clear();
        setNotice(undefined);
        update({ apiKey, projectId: undefined });
      },
      signOut: endSession,
      selectProject: (projectId) => {
        if (session) update({ ...session, projectId });
      },
      clientFor: (apiKey, projectId) =>
        createFlywheelClient({
          baseUrl: environment.baseUrl,
          apiKey,
          ...(projectId === undefined ? {} : { projectId }),
          ...(environment.fetch ? { fetch: environment.fetch } : {}),
        }),
    }),
    [session, notice, update, endSession, queryClient, environment],
  );

  return (
    <SessionContext.Provider value={value}>
      <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>
    </SessionContext.Provider>
  );
}

/** The session; inside {@link ApiProvider} only. */
export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession is used outside <ApiProvider>.');
  return state;
}

/** What a signed-in page talks to the server with. */
export interface Api {
  client: FlywheelClient;
  /** Part of every query key: answers of one project never show in another. */
  scope: string;
}

/** The SDK client of the signed-in session, acting in the chosen project. Use under the signed-in layout. */
export function useApi(): Api {
  const { session, clientFor } = useSession();
  if (!session) throw new Error('useApi is used outside a signed-in page.');
  const { apiKey, projectId } = session;
  return useMemo(
    () => ({ client: clientFor(apiKey, projectId), scope: projectId ?? 'own' }),
    [clientFor, apiKey, projectId],
  );
}
