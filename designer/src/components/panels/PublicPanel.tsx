import { publicAnswerSentence } from '../../model/words';
import { useState } from 'react';
import { absoluteUrl, api } from '../../api';
import { useEditor } from '../../store/editor';
import { ConfirmDialog } from '../Dialog';

const NO_PARAMS: never[] = [];

/** The public URL of the process, its curl example, and a form to send a test task through it. */
export function PublicPanel() {
  const summary = useEditor((s) => s.summary);
  // The array itself, not `?? []` inside the selector: a new empty array on every read would re-render forever.
  const params = useEditor((s) => s.def?.params) ?? NO_PARAMS;
  const setSummary = useEditor((s) => s.setSummary);
  const track = useEditor((s) => s.track);
  const setTab = useEditor((s) => s.setTab);
  const [confirm, setConfirm] = useState(false);
  const [data, setData] = useState('{\n  "phone": "89161234567"\n}');
  const [ref, setRef] = useState('');
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState(false);
  if (!summary) return null;

  const url = absoluteUrl(summary.public_url);
  let parsed: unknown = null;
  let jsonError: string | null = null;
  try {
    parsed = data.trim() ? JSON.parse(data) : {};
  } catch (e) {
    jsonError = (e as Error).message;
  }
  const body = JSON.stringify({ ops: [{ type: 'create', obj: 'task', conv_id: summary.conv_id, ref: ref || 'my-ref-1', data: parsed ?? {} }] });
  const curl = `curl -X POST '${url}' \\\n  -H 'Content-Type: application/json' \\\n  -d '${body.replace(/'/g, "'\\''")}'`;

  async function regenerate() {
    setConfirm(false);
    try {
      setSummary({ ...summary!, ...(await api.regenerateHash(summary!.conv_id)) });
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function send() {
    if (jsonError) return;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const res = await api.publicCreate(summary!.public_url, summary!.conv_id, parsed, ref.trim() || undefined);
      const op = res.ops?.[0];
      if (res.request_proc !== 'ok' || !op || op.proc !== 'ok' || !op.obj_id) {
        setError(publicAnswerSentence(res));
      } else {
        setResult(op.obj_id);
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="pad">
      <h4 className="section first">Public URL</h4>
      <p className="hint">Outside systems create tasks in this process by posting to this address. Anyone who knows it can do so; regenerate the hash to revoke it.</p>
      <div className="url-box">
        <code>{url}</code>
        <button
          className="btn small"
          onClick={() => {
            void navigator.clipboard?.writeText(url).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1200);
            });
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
      <div className="muted small">hash: <code>{summary.hash}</code></div>
      <button className="btn small" onClick={() => setConfirm(true)}>Regenerate hash</button>

      {params.length > 0 && (
        <>
          <h4 className="section">Parameters</h4>
          <table className="table small" data-testid="public-params">
            <tbody>
              {params.map((p) => (
                <tr key={p.name}>
                  <td><code>{p.name}</code></td>
                  <td>{p.type}</td>
                  <td>{[p.input && 'input', p.required && 'required', p.output && 'output'].filter(Boolean).join(', ')}</td>
                  <td className="muted">{p.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}

      <h4 className="section">curl example</h4>
      <pre className="json">{curl}</pre>

      <h4 className="section">Send a test task</h4>
      <label className="field">
        <span className="label">Task data (JSON)</span>
        <textarea className={`mono${jsonError ? ' invalid' : ''}`} rows={6} value={data} onChange={(e) => setData(e.target.value)} spellCheck={false} />
        {jsonError && <span className="field-error">Not valid JSON: {jsonError}</span>}
      </label>
      <label className="field">
        <span className="label">Reference <span className="muted">(optional)</span></span>
        <input value={ref} onChange={(e) => setRef(e.target.value)} placeholder="your id of the task" />
      </label>
      <button className="btn primary" disabled={busy || !!jsonError} onClick={send}>Send</button>
      {error && <div className="alert error">{error}</div>}
      {result && (
        <div className="alert success">
          Task created: <code>{result}</code>{' '}
          <button
            className="btn small"
            onClick={() => {
              track(result, null);
              setTab('tasks');
            }}
          >
            Follow it
          </button>
        </div>
      )}
      {confirm && (
        <ConfirmDialog
          title="Regenerate hash"
          message="The current public URL stops working at once. Systems that use it must be given the new one."
          confirmLabel="Regenerate"
          danger
          onConfirm={regenerate}
          onCancel={() => setConfirm(false)}
        />
      )}
    </div>
  );
}
