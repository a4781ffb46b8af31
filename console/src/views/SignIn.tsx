/** Sign-in: the API key is checked against the service before it is kept. */
import { useState } from 'preact/hooks';
import { Api, describeFailure } from '../api.js';

export function SignIn({ failure, onSignIn }: { failure?: string; onSignIn: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState(failure);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      await new Api(key.trim()).get('/rest/v1/whoami');
      onSignIn(key.trim());
    } catch (err) {
      setError(describeFailure(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Collection service console</h1>
      <form onSubmit={submit}>
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autocomplete="off" required value={key} onInput={(event) => setKey(event.currentTarget.value)} aria-describedby="api-key-hint api-key-error" />
        <p id="api-key-hint" class="hint">
          Kept in this tab only (sessionStorage), until you sign out or close it. The first key of a new embedded store is in data/bootstrap-key.
        </p>
        <p id="api-key-error" class="form-error" role="alert">
          {error}
        </p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
