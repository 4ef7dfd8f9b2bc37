import { useCallback, useEffect, useRef, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { api, ApiError, subscribeCounters } from '../api';
import { Link } from '../App';
import { Canvas } from '../components/canvas/Canvas';
import { Palette } from '../components/canvas/Palette';
import { ErrorList } from '../components/ErrorList';
import { NodePanel } from '../components/panels/NodePanel';
import { ProcessPanel } from '../components/panels/ProcessPanel';
import { PublicPanel } from '../components/panels/PublicPanel';
import { TasksPanel } from '../components/panels/TasksPanel';
import { VersionsPanel } from '../components/panels/VersionsPanel';
import { copyNodes, isClip, pasteNodes, type Clip } from '../model/clipboard';
import { defaultParams } from '../model/convert';
import { uniqueId } from '../model/ids';
import { autoLayout } from '../model/layout';
import type { Definition, ValidationError } from '../model/types';
import { canRedo, canUndo } from '../model/undo';
import { setLeaveGuard } from '../router';
import { isDirty, useEditor, type SideTab } from '../store/editor';

export function EditorPage({ convId }: { convId: number }) {
  return (
    <ReactFlowProvider>
      <Editor convId={convId} />
    </ReactFlowProvider>
  );
}

const CLIP_KEY = 'workflows.clipboard';

/** " 1 warning: see Errors." after a save or a validation the server accepted with remarks. */
function warningNote(warnings: ValidationError[] | undefined): string {
  const n = warnings?.length ?? 0;
  return n === 0 ? '' : ` ${n} warning${n === 1 ? '' : 's'}: see Errors.`;
}
let pasteCount = 0;

function Editor({ convId }: { convId: number }) {
  const s = useEditor();
  const flow = useReactFlow();
  const [loadError, setLoadError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error' | 'info'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const dirty = isDirty(s);
  const noticeTimer = useRef<ReturnType<typeof setTimeout>>(undefined);

  const flash = useCallback((kind: 'success' | 'error' | 'info', text: string, ms = 3500) => {
    setNotice({ kind, text });
    clearTimeout(noticeTimer.current);
    if (kind !== 'error') noticeTimer.current = setTimeout(() => setNotice(null), ms);
  }, []);

  // Load the catalog and the process.
  useEffect(() => {
    let cancelled = false;
    api.catalog().then((c) => !cancelled && useEditor.getState().setCatalog(c)).catch((e) => !cancelled && setLoadError(`Catalog: ${e.message}`));
    api
      .getProcess(convId)
      .then((p) => {
        if (cancelled) return;
        const { definition, ...summary } = p;
        useEditor.getState().load(summary, { ...definition, conv_id: p.conv_id });
        useEditor.getState().setWarnings(p.warnings ?? []);
        setTimeout(() => flow.fitView({ padding: 0.2, maxZoom: 1.2 }), 50);
      })
      .catch((e: ApiError) => !cancelled && setLoadError(e.status === 404 ? `Process ${convId} does not exist.` : e.message));
    return () => {
      cancelled = true;
    };
  }, [convId, flow]);

  useEffect(() => {
    document.title = `${s.def?.title ?? 'Process'}${dirty ? ' •' : ''} · Workflows`;
  }, [s.def?.title, dirty]);

  // Warn before leaving with unsaved changes (browser close/reload and in-app navigation).
  useEffect(() => {
    const onBefore = (e: BeforeUnloadEvent) => {
      if (isDirty(useEditor.getState())) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', onBefore);
    setLeaveGuard(() => !isDirty(useEditor.getState()) || window.confirm('You have unsaved changes. Leave without saving?'));
    return () => {
      window.removeEventListener('beforeunload', onBefore);
      setLeaveGuard(null);
    };
  }, []);

  // Live counters over server-sent events.
  useEffect(() => {
    if (!s.live) return;
    const st = useEditor.getState();
    api.counters(convId).then((c) => useEditor.getState().live && st.setCounters(c)).catch(() => {});
    return subscribeCounters(
      convId,
      (c) => useEditor.getState().setCounters(c),
      (state) => state === 'error' && flash('info', 'Live stream interrupted, reconnecting…', 2000),
    );
  }, [s.live, convId, flash]);

  const save = useCallback(async () => {
    const st = useEditor.getState();
    if (!st.def || st.viewing || saving) return;
    setSaving(true);
    try {
      const p = await api.saveProcess(convId, st.def);
      const { definition, ...summary } = p;
      // Keep what the user has now if it changed during the request.
      const latest = useEditor.getState().def!;
      const saved = { ...definition, conv_id: p.conv_id };
      useEditor.getState().markSaved(summary, saved, latest === st.def ? saved : latest);
      st.setErrors([]);
      st.setWarnings(p.warnings ?? []);
      flash('success', `Saved as version ${p.version}.` + warningNote(p.warnings));
    } catch (e) {
      const err = e as ApiError;
      st.setErrors(err.errors);
      if (err.errors.length) {
        flash('error', `Not saved: ${err.errors.length} error(s). Fix the highlighted nodes.`);
        st.setTab(err.errors.some((x) => x.node_id) && st.selectedNodes.length === 1 ? 'node' : 'errors');
      } else flash('error', `Not saved: ${err.message}`);
    } finally {
      setSaving(false);
    }
  }, [convId, flash, saving]);

  const pickNode = useCallback(
    (id: string) => {
      const st = useEditor.getState();
      if (!st.def?.nodes.some((n) => n.id === id)) return;
      st.select([id]);
      st.setTab('node');
      void flow.fitView({ nodes: [{ id }], duration: 300, maxZoom: 1.2 });
    },
    [flow],
  );

  const validate = useCallback(async () => {
    const st = useEditor.getState();
    if (!st.def) return;
    try {
      const r = await api.validate(st.def);
      st.setErrors(r.errors ?? []);
      st.setWarnings(r.warnings ?? []);
      if (r.valid) flash('success', 'The process is valid.' + warningNote(r.warnings));
      else {
        flash('error', `${r.errors.length} error(s) found.`);
        st.setTab('errors');
      }
    } catch (e) {
      const err = e as ApiError;
      if (err.errors?.length) {
        st.setErrors(err.errors);
        st.setTab('errors');
      }
      flash('error', err.message);
    }
  }, [flash]);

  const addNode = useCallback((type: string, position?: { x: number; y: number }) => {
    const st = useEditor.getState();
    if (!st.def) return;
    const entry = st.catalog[type];
    const id = uniqueId(type, st.def.nodes.map((n) => n.id));
    const pos = position ?? flow.screenToFlowPosition({ x: window.innerWidth / 2, y: window.innerHeight / 2 });
    st.change((d) => ({
      ...d,
      nodes: [...d.nodes, { id, type, title: entry?.title, x: Math.round(pos.x - 95), y: Math.round(pos.y - 30), params: defaultParams(entry), exits: {} }],
    }));
    st.select([id]);
    st.setTab('node');
  }, [flow]);

  const layout = useCallback(() => {
    const st = useEditor.getState();
    const sizes: Record<string, { width: number; height: number }> = {};
    for (const n of flow.getNodes()) if (n.measured?.width && n.measured?.height) sizes[n.id] = { width: n.measured.width, height: n.measured.height };
    st.change((d) => autoLayout(d, sizes));
    setTimeout(() => flow.fitView({ padding: 0.2, duration: 300, maxZoom: 1.2 }), 50);
  }, [flow]);

  const restore = useCallback(async (def: Definition, version: number) => {
    const p = await api.saveProcess(convId, { ...def, conv_id: convId });
    const { definition, ...summary } = p;
    useEditor.getState().load(summary, { ...definition, conv_id: p.conv_id });
    useEditor.getState().setTab('versions');
    flash('success', `Version ${version} restored as version ${p.version}.`);
  }, [convId, flash]);

  // Keyboard shortcuts.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const key = e.key.toLowerCase();
      if (key === 's') {
        e.preventDefault();
        void save();
        return;
      }
      const t = e.target as HTMLElement | null;
      const typing = !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      if (typing) return;
      const st = useEditor.getState();
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        st.undo();
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        st.redo();
      } else if (key === 'c' && st.def && st.selectedNodes.length) {
        const clip = copyNodes(st.def, st.selectedNodes);
        localStorage.setItem(CLIP_KEY, JSON.stringify(clip));
        pasteCount = 0;
        flash('info', `Copied ${clip.nodes.length} node(s).`, 1500);
      } else if (key === 'v' && st.def && !st.viewing) {
        let clip: Clip | null = null;
        try {
          const parsed = JSON.parse(localStorage.getItem(CLIP_KEY) ?? 'null');
          if (isClip(parsed)) clip = parsed;
        } catch {
          /* nothing to paste */
        }
        if (!clip || !clip.nodes.length) return;
        e.preventDefault();
        pasteCount++;
        const r = pasteNodes(st.def, clip, { x: 40 * pasteCount, y: 40 * pasteCount });
        st.change(() => r.def);
        st.select(r.ids);
      } else if (key === 'a') {
        e.preventDefault();
        if (st.def) st.select(st.def.nodes.map((n) => n.id));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, flash]);

  if (loadError && !s.def) {
    return (
      <div className="page">
        <header className="topbar">
          <Link to="/" className="back">← Processes</Link>
        </header>
        <div className="content"><div className="alert error">{loadError}</div></div>
      </div>
    );
  }
  if (!s.def || s.convId !== convId) return <div className="page"><div className="content muted">Loading…</div></div>;

  const selectedNode = s.selectedNodes.length === 1 ? s.selectedNodes[0] : null;
  const tabs: { id: SideTab; label: string; badge?: number }[] = [
    { id: 'node', label: 'Node' },
    { id: 'process', label: 'Process' },
    { id: 'errors', label: 'Errors', badge: s.errors.all.length + s.warnings.length || undefined },
    { id: 'versions', label: 'Versions' },
    { id: 'tasks', label: 'Tasks' },
    { id: 'public', label: 'Public API' },
  ];

  return (
    <div className="editor">
      <header className="topbar">
        <Link to="/" className="back">← Processes</Link>
        <div className="proc-title">
          <b>{s.def.title || '(untitled)'}</b>
          <span className="muted small">#{convId} · v{s.summary?.version}</span>
          {s.summary && <span className={`status ${s.summary.status}`}>{s.summary.status}</span>}
          {dirty && <span className="tag warn">unsaved</span>}
          {s.viewing && <span className="tag info">viewing v{s.viewing.version}</span>}
        </div>
        <div className="spacer" />
        <div className="toolbar">
          <button className="btn" title="Undo (Ctrl+Z)" disabled={!canUndo(s.history) || !!s.viewing} onClick={s.undo}>↶</button>
          <button className="btn" title="Redo (Ctrl+Shift+Z)" disabled={!canRedo(s.history) || !!s.viewing} onClick={s.redo}>↷</button>
          <button className="btn" title="Arrange the nodes automatically" disabled={!!s.viewing} onClick={layout}>Auto-layout</button>
          <button className="btn" title="Fit the process into view" onClick={() => flow.fitView({ padding: 0.2, duration: 300, maxZoom: 1.2 })}>Fit</button>
          <label className={`btn toggle${s.live ? ' on' : ''}`} title="Show tasks per node in real time">
            <input type="checkbox" checked={s.live} onChange={(e) => { s.setLive(e.target.checked); if (e.target.checked) s.setTab('tasks'); }} />
            <span className="dot" /> Live
          </label>
          <button className="btn" onClick={validate} disabled={!!s.viewing}>Validate</button>
          <button className="btn primary" title="Save (Ctrl+S)" onClick={save} disabled={saving || !!s.viewing || !dirty}>{saving ? 'Saving…' : 'Save'}</button>
        </div>
      </header>
      {notice && (
        <div className={`notice ${notice.kind}`} onClick={() => setNotice(null)}>
          {notice.text}
        </div>
      )}
      {s.viewing && (
        <div className="viewing-bar">
          Viewing version {s.viewing.version} — read-only.
          <button className="btn small" onClick={() => s.setViewing(null)}>Back to editing</button>
        </div>
      )}
      {s.path && s.trackedTask && (
        <div className="viewing-bar path-bar">
          Showing the path of task <code>{s.trackedTask}</code>.
          <button className="btn small" onClick={() => s.track(null, null)}>Clear</button>
        </div>
      )}
      <div className="editor-body">
        <Palette catalog={s.catalogList} onAdd={(t) => addNode(t)} disabled={!!s.viewing} />
        <Canvas onAddNode={addNode} />
        <aside className="side">
          <nav className="tabs">
            {tabs.map((t) => (
              <button key={t.id} className={s.tab === t.id ? 'on' : ''} onClick={() => s.setTab(t.id)}>
                {t.label}
                {t.badge ? <span className="badge">{t.badge}</span> : null}
              </button>
            ))}
          </nav>
          <div className="side-body">
            {s.tab === 'node' &&
              (selectedNode ? (
                <NodePanel nodeId={selectedNode} />
              ) : (
                <div className="muted pad">{s.selectedNodes.length > 1 ? `${s.selectedNodes.length} nodes selected.` : 'Select a node on the canvas.'}</div>
              ))}
            {s.tab === 'process' && <ProcessPanel />}
            {s.tab === 'errors' && (
              <div className="pad">
                {s.errors.all.length === 0 ? (
                  <div className="muted">No errors. Use “Validate” to check the process.</div>
                ) : (
                  <ErrorList errors={s.errors.all} onPick={pickNode} />
                )}
                <ErrorList title="Warnings (saved anyway)" errors={s.warnings} onPick={pickNode} />
              </div>
            )}
            {s.tab === 'versions' && <VersionsPanel onRestore={restore} />}
            {s.tab === 'tasks' && <TasksPanel />}
            {s.tab === 'public' && <PublicPanel />}
          </div>
        </aside>
      </div>
    </div>
  );
}
