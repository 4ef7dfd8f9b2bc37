import { useState } from 'react';
import { api, type Me } from '../api';
import { PageHeader } from '../components/PageHeader';

/** The signed-in user changes their own password (the current one is asked again). */
export function PasswordPage({ me }: { me: Me }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);

  return (
    <div className="page">
      <PageHeader title="Your password" />
      <main className="content narrow">
        <form
          className="credential-form"
          data-testid="password-form"
          onSubmit={async (e) => {
            e.preventDefault();
            if (next !== repeat) return setResult({ ok: false, text: 'The new password and its repetition differ.' });
            try {
              await api.changePassword(current, next);
              setCurrent('');
              setNext('');
              setRepeat('');
              setResult({ ok: true, text: 'Your password is changed. Use the new one next time you sign in.' });
            } catch (err) {
              setResult({ ok: false, text: (err as Error).message });
            }
          }}
        >
          <p className="muted small">Signed in as <b>{me.login}</b>.</p>
          <input type="text" name="username" autoComplete="username" value={me.login} readOnly hidden />
          <label><span className="label">Current password</span>
            <input type="password" name="current" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} /></label>
          <label><span className="label">New password (at least 10 characters)</span>
            <input type="password" name="new" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} /></label>
          <label><span className="label">New password again</span>
            <input type="password" name="repeat" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} /></label>
          {result && <div className={`alert ${result.ok ? 'success' : 'error'}`} data-testid="password-result">{result.text}</div>}
          <button className="btn primary" type="submit" disabled={!current || !next}>Change password</button>
        </form>
      </main>
    </div>
  );
}
