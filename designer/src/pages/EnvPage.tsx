import { useCallback, useEffect, useState } from 'react';
import { api, type EnvVarInfo } from '../api';
import { PageHeader } from '../components/PageHeader';

/** Environment variables read in templates as {{env_var[@name]}}; a secret is write-only here. */
export function EnvPage({ canEdit }: { canEdit: boolean }) {
  const [vars, setVars] = useState<EnvVarInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [secret, setSecret] = useState(false);

  const load = useCallback(
    () =>
      api.envVars().then(
        (list) => {
          setVars(list);
          setError(null);
        },
        (e: Error) => setError(e.message),
      ),
    [],
  );
  useEffect(() => void load(), [load]);

  async function act(action: () => Promise<unknown>) {
    try {
      await action();
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <div className="page">
      <PageHeader title="Environment variables" />
      <main className="content">
        {error && <div className="alert error">{error}</div>}
        <p className="muted small">
          Read in any template as <code>{'{{env_var[@name]}}'}</code>. A secret one only reaches API calls (URL, headers, body); anywhere else it
          reads as empty, and it is masked in task data and history.
        </p>
        {canEdit && (
          <form
            className="user-form"
            data-testid="new-env-var"
            onSubmit={(e) => {
              e.preventDefault();
              void act(() => api.setEnvVar(name, value, secret)).then(() => { setName(''); setValue(''); setSecret(false); });
            }}
          >
            <input placeholder="name" name="name" value={name} onChange={(e) => setName(e.target.value)} />
            <input placeholder="value" name="value" type={secret ? 'password' : 'text'} value={value} onChange={(e) => setValue(e.target.value)} />
            <label className="small"><input type="checkbox" name="secret" checked={secret} onChange={(e) => setSecret(e.target.checked)} /> secret</label>
            <button className="btn primary" type="submit" disabled={!name}>Save</button>
          </form>
        )}
        <table className="table" data-testid="env-vars">
          <thead>
            <tr><th>Name</th><th>Value</th><th>Changed</th><th /></tr>
          </thead>
          <tbody>
            {vars.map((v) => (
              <tr key={v.name}>
                <td><code>{v.name}</code></td>
                <td>{v.secret ? <span className="muted">secret</span> : <code>{v.value}</code>}</td>
                <td className="muted small">{new Date(v.updated_at).toLocaleString()}</td>
                <td className="actions">
                  {canEdit && (
                    <>
                      <button className="btn small" onClick={() => { setName(v.name); setValue(v.secret ? '' : v.value ?? ''); setSecret(v.secret); }}>Edit</button>
                      <button
                        className="btn small danger-ghost"
                        onClick={() => { if (window.confirm(`Delete variable ${v.name}?`)) void act(() => api.deleteEnvVar(v.name)); }}
                      >
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </main>
    </div>
  );
}
