import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { diffDefinitions, isEmptyDiff, type DefinitionDiff, type FieldChange } from '../../model/diff';
import type { Definition, VersionInfo } from '../../model/types';
import { useEditor } from '../../store/editor';
import { ConfirmDialog } from '../Dialog';
import { formatTime } from '../format';

interface Props {
  onRestore: (def: Definition, version: number) => Promise<void>;
}

/** Version history: view a version on the canvas, compare two versions, restore one. */
export function VersionsPanel({ onRestore }: Props) {
  const convId = useEditor((s) => s.convId)!;
  const summaryVersion = useEditor((s) => s.summary?.version);
  const viewing = useEditor((s) => s.viewing);
  const setViewing = useEditor((s) => s.setViewing);
  const current = useEditor((s) => s.def);
  const [versions, setVersions] = useState<VersionInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [cache] = useState(() => new Map<number, Definition>());
  const [a, setA] = useState<number | null>(null);
  const [b, setB] = useState<number | 'current'>('current');
  const [diff, setDiff] = useState<{ title: string; diff: DefinitionDiff } | null>(null);
  const [restoring, setRestoring] = useState<number | null>(null);

  const get = useCallback(
    async (v: number) => {
      const hit = cache.get(v);
      if (hit) return hit;
      const d = await api.version(convId, v);
      cache.set(v, d);
      return d;
    },
    [cache, convId],
  );

  useEffect(() => {
    api
      .versions(convId)
      .then((list) => {
        const sorted = [...list].sort((x, y) => y.version - x.version);
        setVersions(sorted);
        setA((cur) => cur ?? sorted[1]?.version ?? sorted[0]?.version ?? null);
      })
      .catch((e) => setError(e.message));
  }, [convId, summaryVersion]);

  async function view(v: number) {
    try {
      setViewing({ version: v, def: await get(v) });
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function compare() {
    if (a == null || !current) return;
    try {
      const left = await get(a);
      const right = b === 'current' ? current : await get(b);
      setDiff({ title: `v${a} → ${b === 'current' ? 'editor' : `v${b}`}`, diff: diffDefinitions(left, right) });
    } catch (e) {
      setError((e as Error).message);
    }
  }

  async function restore(v: number) {
    setRestoring(null);
    try {
      await onRestore(await get(v), v);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <div className="pad">
      {error && <div className="alert error">{error}</div>}
      {viewing && (
        <div className="alert info">
          Viewing version {viewing.version} (read-only).{' '}
          <button className="btn small" onClick={() => setViewing(null)}>Back to editing</button>
        </div>
      )}
      {!versions && !error && <div className="muted">Loading…</div>}
      {versions && (
        <ul className="versions">
          {versions.map((v) => (
            <li key={v.version} className={viewing?.version === v.version ? 'active' : ''}>
              <div>
                <b>v{v.version}</b>
                {v.version === summaryVersion && <span className="tag">latest</span>}
                <div className="muted small">{formatTime(v.created_at)}</div>
              </div>
              <div className="actions">
                <button className="btn small" onClick={() => view(v.version)}>View</button>
                <button className="btn small" disabled={v.version === summaryVersion} onClick={() => setRestoring(v.version)}>Restore</button>
              </div>
            </li>
          ))}
        </ul>
      )}

      {versions && versions.length > 0 && (
        <div className="compare">
          <h4 className="section">Compare</h4>
          <div className="row">
            <select value={a ?? ''} onChange={(e) => setA(Number(e.target.value))}>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>v{v.version}</option>
              ))}
            </select>
            <span>→</span>
            <select value={b} onChange={(e) => setB(e.target.value === 'current' ? 'current' : Number(e.target.value))}>
              <option value="current">editor (unsaved)</option>
              {versions.map((v) => (
                <option key={v.version} value={v.version}>v{v.version}</option>
              ))}
            </select>
            <button className="btn small primary" onClick={compare}>Compare</button>
          </div>
          {diff && <DiffView title={diff.title} diff={diff.diff} />}
        </div>
      )}

      {restoring != null && (
        <ConfirmDialog
          title={`Restore version ${restoring}`}
          message={`This saves version ${restoring} as a new version. Unsaved changes in the editor are lost.`}
          confirmLabel="Restore"
          onConfirm={() => restore(restoring)}
          onCancel={() => setRestoring(null)}
        />
      )}
    </div>
  );
}

function DiffView({ title, diff }: { title: string; diff: DefinitionDiff }) {
  const select = useEditor((s) => s.select);
  if (isEmptyDiff(diff)) {
    return (
      <div className="diff muted">
        {title}: no changes{diff.moved ? ` (${diff.moved} node(s) moved)` : ''}.
      </div>
    );
  }
  return (
    <div className="diff">
      <div className="muted small">{title}</div>
      {diff.process.length > 0 && (
        <div className="diff-item changed">
          <b>Process</b>
          <FieldChanges values={diff.processValues} />
        </div>
      )}
      {diff.added.map((n) => (
        <div key={`a${n.id}`} className="diff-item added" onClick={() => select([n.id])}>
          + <b>{n.id}</b> <span className="muted">{n.type}{n.title ? ` · ${n.title}` : ''}</span>
        </div>
      ))}
      {diff.removed.map((n) => (
        <div key={`r${n.id}`} className="diff-item removed">
          − <b>{n.id}</b> <span className="muted">{n.type}{n.title ? ` · ${n.title}` : ''}</span>
        </div>
      ))}
      {diff.changed.map((c) => (
        <div key={`c${c.id}`} className="diff-item changed" onClick={() => select([c.id])}>
          ~ <b>{c.after.title || c.id}</b>{c.after.title ? <span className="muted small"> {c.id}</span> : null}
          <FieldChanges values={c.values} />
        </div>
      ))}
      {diff.moved > 0 && <div className="muted small">{diff.moved} node(s) only moved.</div>}
    </div>
  );
}

/** Each changed field with its old value struck out and its new one. */
function FieldChanges({ values }: { values: FieldChange[] }) {
  return (
    <dl className="diff-values" data-testid="diff-values">
      {values.map((v) => (
        <div key={v.field}>
          <dt>{v.field}</dt>
          <dd>
            {v.before ? <del title="before">{short(v.before)}</del> : <span className="muted">(none)</span>}
            {' → '}
            {v.after ? <ins title="after">{short(v.after)}</ins> : <span className="muted">(none)</span>}
          </dd>
        </div>
      ))}
    </dl>
  );
}

function short(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
