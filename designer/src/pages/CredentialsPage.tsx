import { useCallback, useEffect, useMemo, useState } from 'react';
import { api } from '../api';
import { createBody, formFor, patchBody, type CredentialForm, type CredentialInfo, type CredentialKindInfo } from '../model/credentials';
import { PageHeader } from '../components/PageHeader';

/** Admins keep the connectors' credentials here: create, edit, test the connection; secrets are write-only. */
export function CredentialsPage() {
  const [list, setList] = useState<CredentialInfo[]>([]);
  const [kinds, setKinds] = useState<CredentialKindInfo[]>([]);
  const [error, setError] = useState<string | null>(null);
  // The credential being edited (null: a new one), and the form's values.
  const [editing, setEditing] = useState<CredentialInfo | null>(null);
  const [name, setName] = useState('');
  const [kind, setKind] = useState('');
  const [form, setForm] = useState<CredentialForm>({});
  const [tests, setTests] = useState<Record<string, { ok: boolean; message: string } | 'running'>>({});

  const load = useCallback(
    () =>
      Promise.all([api.credentials(), api.credentialKinds()]).then(
        ([l, k]) => {
          setList(l);
          setKinds(k);
          setError(null);
        },
        (e: Error) => setError(e.message),
      ),
    [],
  );
  useEffect(() => void load(), [load]);

  const kindInfo = useMemo(() => kinds.find((k) => k.kind === kind), [kinds, kind]);
  const titleOf = (k: string) => kinds.find((x) => x.kind === k)?.title ?? k;

  function startNew(k: string) {
    setEditing(null);
    setName('');
    setKind(k);
    setForm(formFor(kinds.find((x) => x.kind === k), null));
  }

  function startEdit(c: CredentialInfo) {
    setEditing(c);
    setName(c.name);
    setKind(c.kind);
    setForm(formFor(kinds.find((x) => x.kind === c.kind), c));
  }

  async function save() {
    try {
      if (editing) await api.patchCredential(editing.name, patchBody(kindInfo, editing, form));
      else await api.putCredential(name.trim(), kind, createBody(form));
      setEditing(null);
      setKind('');
      setName('');
      setForm({});
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function test(c: CredentialInfo) {
    setTests((t) => ({ ...t, [c.name]: 'running' }));
    try {
      const result = await api.testCredential(c.name);
      setTests((t) => ({ ...t, [c.name]: result }));
    } catch (e) {
      setTests((t) => ({ ...t, [c.name]: { ok: false, message: (e as Error).message } }));
    }
  }

  const formOpen = kind !== '';
  return (
    <div className="page">
      <PageHeader title="Credentials" />
      <main className="content">
        {error && <div className="alert error">{error}</div>}
        <p className="muted small">
          Connector nodes (Bitrix24, RetailCRM, Telegram…) pick one of these by name. Secrets (keys, tokens, passwords) are write-only: they
          are never shown again; to change one, type a new value.
        </p>
        {!formOpen && (
          <div className="row">
            <select aria-label="kind" data-testid="new-credential-kind" value="" onChange={(e) => startNew(e.target.value)}>
              <option value="">New credential of kind…</option>
              {kinds.map((k) => <option key={k.kind} value={k.kind}>{k.title}</option>)}
            </select>
          </div>
        )}
        {formOpen && (
          <form
            className="credential-form"
            data-testid="credential-form"
            autoComplete="off"
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            <h3>{editing ? `Edit ${editing.name}` : `New ${kindInfo?.title ?? kind} credential`}</h3>
            <label>
              <span className="label">Name</span>
              <input name="name" value={name} readOnly={!!editing} onChange={(e) => setName(e.target.value)} placeholder="letters, digits, _ . -" />
            </label>
            {(kindInfo?.fields ?? []).map((f) => (
              <label key={f.name}>
                <span className="label">{f.label}{f.secret && <span className="muted small"> · secret</span>}</span>
                <input
                  name={f.name}
                  type={f.secret ? 'password' : 'text'}
                  autoComplete={f.secret ? 'new-password' : 'off'}
                  value={form[f.name] ?? ''}
                  placeholder={f.secret && editing?.fields.includes(f.name) ? 'set · leave empty to keep' : (f.help ?? '')}
                  onChange={(e) => setForm({ ...form, [f.name]: e.target.value })}
                />
              </label>
            ))}
            <div className="row">
              <button className="btn primary" type="submit" disabled={!name.trim()}>Save</button>
              <button className="btn" type="button" onClick={() => { setEditing(null); setKind(''); }}>Cancel</button>
            </div>
          </form>
        )}
        <table className="table" data-testid="credentials">
          <thead>
            <tr><th>Name</th><th>Kind</th><th>Fields</th><th>Changed</th><th /></tr>
          </thead>
          <tbody>
            {list.map((c) => {
              const result = tests[c.name];
              const testable = kinds.find((k) => k.kind === c.kind)?.testable ?? false;
              return (
                <tr key={c.name} data-credential={c.name}>
                  <td><code>{c.name}</code></td>
                  <td>{titleOf(c.kind)}</td>
                  <td className="small">
                    {c.fields.map((f) => (
                      <div key={f}>
                        <span className="muted">{f}:</span> {f in c.values ? <code>{c.values[f]}</code> : <span className="muted">set (secret)</span>}
                      </div>
                    ))}
                    {result && (
                      <div className={`alert ${result === 'running' ? 'info' : result.ok ? 'success' : 'error'}`} data-testid="credential-test-result">
                        {result === 'running' ? 'Testing…' : result.message}
                      </div>
                    )}
                  </td>
                  <td className="muted small">{new Date(c.updated_at).toLocaleString()}</td>
                  <td className="actions">
                    <button className="btn small" onClick={() => startEdit(c)}>Edit</button>
                    {testable && <button className="btn small" onClick={() => void test(c)}>Test connection</button>}
                    <button
                      className="btn small danger-ghost"
                      onClick={() => {
                        if (!window.confirm(`Delete credential ${c.name}? Nodes that use it will fail until another is picked.`)) return;
                        api.deleteCredential(c.name).then(load, (e: Error) => setError(e.message));
                      }}
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {list.length === 0 && <div className="muted">No credentials yet.</div>}
      </main>
    </div>
  );
}
