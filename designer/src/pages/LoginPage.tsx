import { useState } from 'react';
import { api, type Me } from '../api';

/** Sign-in: the designer and the management API need a user; the public task URLs do not. */
export function LoginPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await api.login(login, password));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="login-page">
      <form className="dialog login" onSubmit={submit} data-testid="login-form">
        <div className="dialog-head"><h3>Sign in to Workflows</h3></div>
        <div className="dialog-body">
          <label className="field">
            <span className="label">Login</span>
            <input autoFocus value={login} onChange={(e) => setLogin(e.target.value)} autoComplete="username" name="login" />
          </label>
          <label className="field">
            <span className="label">Password</span>
            <input type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" name="password" />
          </label>
          {error && <div className="field-error" role="alert">{error}</div>}
          <p className="muted small">
            At first start the server prints the admin's one-time password in its log (or takes it from
            Workflows:Admin:Password).
          </p>
        </div>
        <div className="dialog-foot">
          <button className="btn primary" type="submit" disabled={busy || !login || !password}>Sign in</button>
        </div>
      </form>
    </div>
  );
}
