import { useCallback, useEffect, useState } from 'react';
import { api, type IssuedUser, type UserInfo } from '../api';
import { PageHeader } from '../components/PageHeader';

/** Admins manage who may use the designer and the APIs; keys and secrets are shown once. */
export function UsersPage() {
  const [users, setUsers] = useState<UserInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedUser | null>(null);
  const [login, setLogin] = useState('');
  const [role, setRole] = useState('editor');
  const [password, setPassword] = useState('');

  const load = useCallback(
    () =>
      api.users().then(
        (list) => {
          setUsers(list);
          setError(null);
        },
        (e: Error) => setError(e.message),
      ),
    [],
  );
  useEffect(() => void load(), [load]);

  async function act(action: () => Promise<IssuedUser | void>) {
    try {
      const result = await action();
      if (result) setIssued(result);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <div className="page">
      <PageHeader title="Users" />
      <main className="content">
        {error && <div className="alert error">{error}</div>}
        {issued && (
          <div className="alert info" data-testid="issued-keys">
            <b>{issued.login}</b>: copy these now, they are not shown again.
            <div>API key (header X-Api-Key): <code>{issued.api_key}</code></div>
            <div>Signed-API secret: <code>{issued.api_secret}</code></div>
            <button className="btn small" onClick={() => setIssued(null)}>Done</button>
          </div>
        )}
        <form
          className="user-form"
          data-testid="new-user"
          onSubmit={(e) => {
            e.preventDefault();
            void act(() => api.createUser(login, role, password)).then(() => { setLogin(''); setPassword(''); });
          }}
        >
          <input placeholder="login" name="login" value={login} onChange={(e) => setLogin(e.target.value)} />
          <select name="role" value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="viewer">viewer: reads</option>
            <option value="editor">editor: changes processes and tasks</option>
            <option value="admin">admin: also users and credentials</option>
          </select>
          <input placeholder="password (optional, 10+ characters)" type="password" name="password" value={password} onChange={(e) => setPassword(e.target.value)} />
          <button className="btn primary" type="submit" disabled={!login}>Add user</button>
        </form>
        <table className="table">
          <thead>
            <tr><th>Login</th><th>Role</th><th>Password</th><th>Created</th><th /></tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.login}>
                <td>{u.login}</td>
                <td>{u.role}</td>
                <td>{u.has_password ? 'set' : '—'}</td>
                <td className="muted small">{new Date(u.created_at).toLocaleString()}</td>
                <td className="actions">
                  <button className="btn small" onClick={() => void act(() => api.rekeyUser(u.login))}>New key</button>
                  <button
                    className="btn small danger-ghost"
                    onClick={() => { if (window.confirm(`Delete user ${u.login}?`)) void act(() => api.deleteUser(u.login)); }}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </main>
    </div>
  );
}
