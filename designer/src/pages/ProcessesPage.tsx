import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import { Link } from '../components/Link';
import { ConfirmDialog, Dialog } from '../components/Dialog';
import { ErrorList } from '../components/ErrorList';
import { formatTime } from '../components/format';
import { type CorezoidImportReport, describeIssue, isCorezoidExport } from '../model/corezoid';
import type { Definition, ProcessSummary, ValidationError } from '../model/types';
import { navigate } from '../router';
import { PageHeader } from '../components/PageHeader';

export function ProcessesPage() {
  const [search, setSearch] = useState('');
  const [items, setItems] = useState<ProcessSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<ProcessSummary | null>(null);
  const [importErrors, setImportErrors] = useState<{ message: string; errors: ValidationError[] } | null>(null);
  const [report, setReport] = useState<{ file: string; report: CorezoidImportReport } | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  const load = useCallback(async (text: string) => {
    try {
      setItems(await api.listProcesses(text.trim() || undefined));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    const t = setTimeout(() => load(search), 250);
    return () => clearTimeout(t);
  }, [search, load]);

  useEffect(() => {
    document.title = 'Processes · Workflows';
  }, []);

  const replace = (s: ProcessSummary) => setItems((list) => list?.map((p) => (p.conv_id === s.conv_id ? { ...p, ...s } : p)) ?? null);

  async function togglePause(p: ProcessSummary) {
    try {
      replace(p.status === 'paused' ? await api.resume(p.conv_id) : await api.pause(p.conv_id));
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function doDelete(p: ProcessSummary) {
    setDeleting(null);
    try {
      await api.deleteProcess(p.conv_id);
      setItems((list) => list?.filter((x) => x.conv_id !== p.conv_id) ?? null);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function onImport(file: File) {
    let def: Definition;
    try {
      def = JSON.parse(await file.text());
    } catch (e) {
      setImportErrors({ message: `"${file.name}" is not valid JSON: ${(e as Error).message}`, errors: [] });
      return;
    }
    if (isCorezoidExport(def)) {
      // A Corezoid export (one process or a folder): converted on the server, which says what it changed.
      try {
        setReport({ file: file.name, report: await api.importCorezoid(def) });
        void load(search);
      } catch (e) {
        const err = e as ApiError;
        setImportErrors({ message: err.message, errors: err.errors ?? [] });
      }
      return;
    }
    try {
      let created;
      try {
        created = await api.createProcess(def);
      } catch (e) {
        // The number is taken on this server: import it as a new process instead.
        if ((e as ApiError).status !== 409 || def.conv_id == null) throw e;
        const { conv_id: _taken, ...rest } = def;
        created = await api.createProcess(rest);
      }
      navigate(`/processes/${created.conv_id}`);
    } catch (e) {
      const err = e as ApiError;
      setImportErrors({ message: err.message, errors: err.errors ?? [] });
    }
  }

  return (
    <div className="page">
      <PageHeader title="Workflows">
        <input
          className="search"
          type="search"
          placeholder="Search processes…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          aria-label="Search processes"
        />
        <button className="btn" onClick={() => fileRef.current?.click()}>Import…</button>
        <input
          ref={fileRef}
          type="file"
          accept="application/json,.json"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void onImport(f);
          }}
        />
        <button className="btn primary" onClick={() => setCreating(true)}>+ New process</button>
      </PageHeader>

      <main className="content">
        {error && <div className="alert error">{error}</div>}
        {items === null && !error && <div className="muted">Loading…</div>}
        {items && items.length === 0 && (
          <div className="empty">
            <h2>{search ? 'No process matches your search' : 'No processes yet'}</h2>
            {!search && <p>Create your first process or import a definition file.</p>}
            {!search && <button className="btn primary" onClick={() => setCreating(true)}>+ New process</button>}
          </div>
        )}
        {items && items.length > 0 && (
          <table className="table compact">
            <thead>
              <tr>
                <th>Process</th>
                <th>Status</th>
                <th className="num">Version</th>
                <th className="num">Tasks</th>
                <th>Public URL</th>
                <th>Changed</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.conv_id}>
                  <td>
                    <Link to={`/processes/${p.conv_id}`} className="title-link">{p.title || '(untitled)'}</Link>
                    <div className="muted small proc-sub" title={p.description ?? undefined}>
                      #{p.conv_id}
                      {p.alias ? ` · ${p.alias}` : ''}
                      {p.description ? ` · ${p.description}` : ''}
                    </div>
                  </td>
                  <td>
                    <span className={`status ${p.status}`} title={p.broken ?? undefined}>{p.status}</span>
                    {p.broken && <div className="muted small broken-reason">{p.broken}</div>}
                  </td>
                  <td className="num">v{p.version}</td>
                  <td className="num">{p.tasks}</td>
                  <td>
                    <code className="url" title={p.public_url}>{p.public_url}</code>
                  </td>
                  <td className="muted small">{formatTime(p.changed_at)}</td>
                  <td className="actions">
                    <button className="btn small" onClick={() => navigate(`/processes/${p.conv_id}`)}>Open</button>
                    <button className="btn small" onClick={() => togglePause(p)}>{p.status === 'paused' ? 'Resume' : 'Pause'}</button>
                    <a className="btn small" href={api.exportUrl(p.conv_id)} download={`process-${p.conv_id}.json`}>Export</a>
                    <button className="btn small danger-ghost" onClick={() => setDeleting(p)}>Delete</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </main>

      {creating && <CreateDialog onClose={() => setCreating(false)} />}
      {deleting && (
        <ConfirmDialog
          title="Delete process"
          danger
          confirmLabel="Delete"
          message={
            <>
              Delete <b>{deleting.title}</b> (#{deleting.conv_id}) with all its versions and {deleting.tasks} task(s)? This cannot be undone.
            </>
          }
          onConfirm={() => doDelete(deleting)}
          onCancel={() => setDeleting(null)}
        />
      )}
      {report && <ImportReport file={report.file} report={report.report} onClose={() => setReport(null)} />}
      {importErrors && (
        <Dialog
          title="Import failed"
          onClose={() => setImportErrors(null)}
          footer={<button className="btn primary" onClick={() => setImportErrors(null)}>OK</button>}
        >
          <p>{importErrors.message}</p>
          <ErrorList errors={importErrors.errors} />
        </Dialog>
      )}
    </div>
  );
}

function CreateDialog({ onClose }: { onClose: () => void }) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function create() {
    if (!title.trim()) return;
    setBusy(true);
    try {
      const created = await api.createProcess({
        title: title.trim(),
        description: description.trim() || undefined,
        nodes: [
          { id: 'start', type: 'start', title: 'Start', x: 0, y: 0, params: {}, exits: { next: 'final' } },
          { id: 'final', type: 'final', title: 'Done', x: 0, y: 160, params: { result: 'success' }, exits: {} },
        ],
      });
      navigate(`/processes/${created.conv_id}`);
    } catch (e) {
      setError(e as ApiError);
      setBusy(false);
    }
  }

  return (
    <Dialog
      title="New process"
      onClose={onClose}
      footer={
        <>
          <button className="btn" onClick={onClose}>Cancel</button>
          <button className="btn primary" disabled={!title.trim() || busy} onClick={create}>Create</button>
        </>
      }
    >
      <label className="field">
        <span className="label">Title</span>
        <input
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          onKeyDown={(e) => e.key === 'Enter' && create()}
          placeholder="e.g. Normalise phone"
          autoFocus
        />
      </label>
      <label className="field">
        <span className="label">Description <span className="muted">(optional)</span></span>
        <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <p className="hint">The server assigns the process number (conv_id). You start with a Start and a Final node.</p>
      {error && <div className="alert error">{error.message}</div>}
      {error && <ErrorList errors={error.errors} />}
    </Dialog>
  );
}

/** What a Corezoid import did: the processes made (to open), their conv_ids, what was changed or left out, the variables they read. */
function ImportReport({ file, report, onClose }: { file: string; report: CorezoidImportReport; onClose: () => void }) {
  const created = report.processes.filter((p) => p.created);
  return (
    <Dialog
      title={`Imported from Corezoid: ${file}`}
      onClose={onClose}
      wide
      footer={<button className="btn primary" onClick={onClose}>Close</button>}
    >
      <div data-testid="import-report">
        <p>
          {created.length} of {report.processes.length} process{report.processes.length === 1 ? '' : 'es'} created.
        </p>
        <ul className="import-report">
          {report.processes.map((p, i) => (
            <li key={p.corezoid_obj_id ?? `${p.title}-${i}`}>
              {p.created && p.process ? (
                <Link to={`/processes/${p.process.conv_id}`}>
                  {p.process.title} (conv_id {p.process.conv_id})
                </Link>
              ) : (
                <strong>{p.title}: not created</strong>
              )}
              {(p.errors ?? []).map((e, j) => (
                <div key={`e${j}`} className="error">{e.node_id ? `node ${e.node_id}: ` : ''}{e.field}: {e.message}</div>
              ))}
              {p.not_convertible.length > 0 && (
                <div className="warn">Not convertible: {p.not_convertible.map(describeIssue).join('; ')}</div>
              )}
              {p.issues.filter((x) => !x.not_convertible).map((x, j) => (
                <div key={`i${j}`} className="muted">{describeIssue(x)}</div>
              ))}
              {(p.warnings ?? []).map((w, j) => (
                <div key={`w${j}`} className="muted">{w.node_id ? `node ${w.node_id}: ` : ''}{w.message}</div>
              ))}
            </li>
          ))}
        </ul>
        {created.some((p) => p.issues.some((x) => x.node_id)) && (
          <p className="hint">The nodes named above are marked on the canvas when you open their process, until you save a new version.</p>
        )}
        {report.conv_ids.length > 0 && (
          <p>
            New conv_ids: {report.conv_ids.map((c) => `${c.title} ${c.old ?? 'none'} → ${c.new}`).join(', ')}
          </p>
        )}
        {report.env_vars.length > 0 && (
          <p>
            Variables the processes read:{' '}
            {report.env_vars.map((v) => `${v.name}${v.defined ? '' : ' (not set yet)'}`).join(', ')}
          </p>
        )}
      </div>
    </Dialog>
  );
}
