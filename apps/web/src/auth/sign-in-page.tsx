import { type FormEvent, useEffect, useId, useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { useSession } from '../api/api-context.js';
import { ErrorMessage } from '../components/error-message.js';

/** Where the sign-in page sends the user afterwards (the page they first asked for). */
export interface SignInLocationState {
  from?: string;
}

/**
 * Sign-in with an API key: the key is checked with `GET /api/projects/current` before it is kept,
 * and the server's own message is shown when it is refused.
 */
export function SignInPage() {
  const { session, notice, signIn, clientFor } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as SignInLocationState | null)?.from ?? '/';
  const inputId = useId();
  const hintId = useId();
  const [apiKey, setApiKey] = useState('');
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    document.title = 'Sign in · Flywheel';
  }, []);

  if (session) return <Navigate to={from} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const key = apiKey.trim();
    if (key === '') return;
    setChecking(true);
    setError(undefined);
    try {
      await clientFor(key).projects.current();
      signIn(key);
      navigate(from, { replace: true });
    } catch (caught) {
      setError(caught);
      setChecking(false);
    }
  };

  return (
    <main className="sign-in">
      <div className="panel sign-in-card">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Flywheel
        </div>
        <h1>Sign in</h1>
        {notice ? (
          <p role="status" className="muted">
            {notice}
          </p>
        ) : null}
        <form className="sign-in-form" onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor={inputId} className="field-label">
              API key
            </label>
            <input
              id={inputId}
              className="input"
              type="password"
              autoComplete="off"
              spellCheck={false}
              placeholder="fw_sk_…"
              value={apiKey}
              onChange={(event) => setApiKey(event.target.value)}
              aria-describedby={hintId}
              aria-invalid={error !== undefined}
              required
            />
            <p id={hintId} className="field-hint">
              The first start of the server prints an admin key; create others with{' '}
              <code>flywheel keys create</code>. The key stays in this tab only and is forgotten when the tab
              closes.
            </p>
          </div>
          {error !== undefined ? (
            <ErrorMessage title="The server did not accept this key" error={error} />
          ) : null}
          <button type="submit" className="button button-primary" disabled={checking || apiKey.trim() === ''}>
            {checking ? 'Checking…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
