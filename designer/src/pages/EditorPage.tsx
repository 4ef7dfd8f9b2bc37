import { useCallback, useEffect, useMemo, useState } from 'react';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import { useShallow } from 'zustand/react/shallow';
import { Link } from '../components/Link';
import { Canvas } from '../components/canvas/Canvas';
import { Palette } from '../components/canvas/Palette';
import { ErrorList } from '../components/ErrorList';
import { NodePanel } from '../components/panels/NodePanel';
import { ProcessPanel } from '../components/panels/ProcessPanel';
import { PublicPanel } from '../components/panels/PublicPanel';
import { TasksPanel } from '../components/panels/TasksPanel';
import { TestRunPanel } from '../components/panels/TestRunPanel';
import { VersionsPanel } from '../components/panels/VersionsPanel';
import { useLiveCounters } from '../hooks/useLiveCounters';
import { useNotice } from '../hooks/useNotice';
import { useProcessLoading } from '../hooks/useProcessLoading';
import { useReadableFit } from '../hooks/useReadableFit';
import { useSaving } from '../hooks/useSaving';
import { useShortcuts } from '../hooks/useShortcuts';
import { canonical, copyOfProcess, defaultParams } from '../model/convert';
import { api } from '../api';
import { navigate } from '../router';
import { uniqueId } from '../model/ids';
import { autoLayout } from '../model/layout';
import { canRedo, canUndo } from '../model/undo';
import { editorPageView, useEditor, type SideTab } from '../store/editor';

export function EditorPage({ convId }: { convId: number }) {
  return (
    <ReactFlowProvider>
      <Editor convId={convId} />
    </ReactFlowProvider>
  );
}

function Editor({ convId }: { convId: number }) {
  // Only what the page shows: live-counter pushes and canvas-only changes do not re-render it.
  const s = useEditor(useShallow(editorPageView));
  const flow = useReactFlow();
  const { notice, flash, dismiss } = useNotice();
  const fit = useReadableFit();
  const loadError = useProcessLoading(convId, fit);
  // The minimap lives under the palette, not over the canvas (Canvas renders it there).
  const [minimapSlot, setMinimapSlot] = useState<HTMLDivElement | null>(null);
  const { saving, save, validate, restore } = useSaving(convId, flash);
  useLiveCounters(convId, flash);
  useShortcuts(save, flash);
  const dirty = useMemo(() => !!s.def && canonical(s.def) !== s.savedJson, [s.def, s.savedJson]);

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

  useEffect(() => {
    document.title = `${s.def?.title ?? 'Process'}${dirty ? ' •' : ''} · Workflows`;
  }, [s.def?.title, dirty]);

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

  // A copy of what the editor shows (unsaved changes included), opened at once.
  const duplicate = useCallback(async () => {
    const def = useEditor.getState().def;
    if (!def) return;
    try {
      const created = await api.createProcess(copyOfProcess(def));
      flash('success', `Copied to “${created.definition.title}” (#${created.conv_id}).`);
      navigate(`/processes/${created.conv_id}`);
    } catch (e) {
      flash('error', (e as Error).message);
    }
  }, [flash]);

  const layout = useCallback(async () => {
    const st = useEditor.getState();
    if (!st.def) return;
    const sizes: Record<string, { width: number; height: number }> = {};
    for (const n of flow.getNodes()) if (n.measured?.width && n.measured?.height) sizes[n.id] = { width: n.measured.width, height: n.measured.height };
    const before = st.def;
    const laid = await autoLayout(before, sizes, st.catalog);
    // An edit made while the layout ran wins over the layout.
    useEditor.getState().change((d) => (d === before ? laid : d));
    setTimeout(() => fit({ duration: 300 }), 50);
  }, [flow, fit]);

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
    { id: 'test', label: 'Test run' },
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
          <button className="btn" title="Arrange the nodes automatically" disabled={!!s.viewing} onClick={() => void layout()}>Auto-layout</button>
          <button className="btn" title="Fit the process into view (large processes: from the start, at a zoom where titles can be read)" onClick={() => fit({ duration: 300 })}>Fit</button>
          <label className={`btn toggle${s.live ? ' on' : ''}`} title="Show tasks per node in real time">
            <input type="checkbox" checked={s.live} onChange={(e) => { s.setLive(e.target.checked); if (e.target.checked) s.setTab('tasks'); }} />
            <span className="dot" /> Live
          </label>
          <a className="btn" title="Download the saved process as a JSON file" href={api.exportUrl(convId)} download={`process-${convId}.json`}>Export</a>
          <button className="btn" title="Create a copy of this process (with the changes not saved yet) and open it" onClick={duplicate}>Duplicate</button>
          <button className="btn" onClick={validate} disabled={!!s.viewing}>Validate</button>
          <button className="btn primary" title="Save (Ctrl+S)" onClick={save} disabled={saving || !!s.viewing || !dirty}>{saving ? 'Saving…' : 'Save'}</button>
        </div>
      </header>
      {notice && (
        <div className={`notice ${notice.kind}`} onClick={dismiss}>
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
        <div className="left-column">
          <Palette catalog={s.catalogList} onAdd={(t) => addNode(t)} disabled={!!s.viewing} />
          <div className="minimap-slot" ref={setMinimapSlot} />
        </div>
        <Canvas onAddNode={addNode} onFit={fit} minimapSlot={minimapSlot} />
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
            {s.tab === 'test' && <TestRunPanel />}
            {s.tab === 'public' && <PublicPanel />}
          </div>
        </aside>
      </div>
    </div>
  );
}
