import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { pathEdgesInDefinition, pathFromHistory } from '../../model/path';
import { isMoving, newPin, pinnableNodes, testRunRequest, testTaskState, toggle } from '../../model/testRun';
import type { TaskDetails } from '../../model/types';
import { isDirty, useEditor } from '../../store/editor';
import { formatJson } from '../format';
import { StepList } from './StepList';

/**
 * A test run of the saved process: pinned input data, breakpoints on nodes, answers pinned for API
 * calls and connectors (nothing is called), then Step / Continue with the current node highlighted
 * and each step's data before and after. The test task is counted nowhere.
 */
export function TestRunPanel() {
  const convId = useEditor((s) => s.convId)!;
  const def = useEditor((s) => s.def)!;
  const catalog = useEditor((s) => s.catalog);
  const dirty = useEditor(isDirty);
  const selected = useEditor((s) => (s.selectedNodes.length === 1 ? s.selectedNodes[0] : null));
  const draft = useEditor((s) => s.testDraft);
  const setDraft = useEditor((s) => s.setTestDraft);
  const testTask = useEditor((s) => s.testTask);
  const setTestTask = useEditor((s) => s.setTestTask);
  const track = useEditor((s) => s.track);
  const [task, setTask] = useState<TaskDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const titleOf = useCallback(
    (id: string) => {
      const n = def.nodes.find((x) => x.id === id);
      return n?.title || (n && catalog[n.type]?.title) || id;
    },
    [def, catalog],
  );

  const load = useCallback(
    async (objId: string) => {
      try {
        const t = await api.task(objId);
        setTask(t);
        setError(null);
        setTestTask(objId, t.status === 'waiting' && t.wait === 'debug' ? t.node_id : null);
        const path = pathFromHistory(t.history ?? [], t.node_id);
        const byId = new Map(useEditor.getState().def?.nodes.map((n) => [n.id, n.exits]) ?? []);
        path.edges = pathEdgesInDefinition(t.history ?? [], (id) => byId.get(id));
        track(objId, path);
      } catch (e) {
        setError((e as Error).message);
      }
    },
    [setTestTask, track],
  );

  // Follow the test task while it moves by itself (after Start, Step or Continue).
  useEffect(() => {
    if (!testTask) return;
    const fresh = !task || task.obj_id !== testTask;
    if (!fresh && !isMoving(task)) return;
    const t = setTimeout(() => void load(testTask), fresh ? 0 : 300);
    return () => clearTimeout(t);
  }, [testTask, task, load]);

  async function start() {
    const made = testRunRequest(draft, def.nodes);
    if ('error' in made) {
      setError(made.error);
      return;
    }
    setBusy(true);
    try {
      const created = await api.createTestTask(convId, made.request);
      setTask(null);
      setTestTask(created.obj_id);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function go(action: 'step' | 'continue') {
    if (!task) return;
    setBusy(true);
    try {
      await api.debugTask(task.obj_id, action, draft.breakpoints);
      // Moving again: followed until it stops or ends.
      setTask({ ...task, status: 'processing' });
      setTestTask(task.obj_id, null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  function reset() {
    setTask(null);
    setTestTask(null);
    track(null, null);
    setError(null);
  }

  const pinnable = pinnableNodes(def, catalog);
  const stopped = !!task && task.status === 'waiting' && task.wait === 'debug';

  const breakpoints = (
    <>
      <h4 className="section">Breakpoints</h4>
      <div className="muted small">The run stops before these nodes. Select a node on the canvas to set one.</div>
      <button
        className="btn small"
        data-testid="toggle-breakpoint"
        disabled={!selected}
        onClick={() => selected && setDraft((d) => ({ ...d, breakpoints: toggle(d.breakpoints, selected) }))}
      >
        {selected && draft.breakpoints.includes(selected) ? '○ Remove the breakpoint' : '● Breakpoint'}
        {selected ? ` on “${titleOf(selected)}”` : ''}
      </button>
      <ul className="breakpoints">
        {draft.breakpoints.map((b) => (
          <li key={b}>
            <span className="wf-breakpoint" /> {titleOf(b)}
            <button className="btn small ghost" title="Remove" onClick={() => setDraft((d) => ({ ...d, breakpoints: toggle(d.breakpoints, b) }))}>×</button>
          </li>
        ))}
      </ul>
    </>
  );

  if (testTask) {
    return (
      <div className="pad test-run">
        <div className="task-head">
          <div>
            <code>{testTask}</code> <span className="tag info">test</span>
          </div>
          {task && <span className={`status ${task.status} ${task.result ?? ''}`}>{task.result ?? task.status}</span>}
        </div>
        {error && <div className="alert error">{error}</div>}
        {task && <div className="test-state" data-testid="test-state">{testTaskState(task, titleOf)}</div>}
        <div className="row debug-buttons">
          <button className="btn primary" data-testid="debug-step" disabled={!stopped || busy} title="Run this node and stop before the next" onClick={() => go('step')}>Step</button>
          <button className="btn" data-testid="debug-continue" disabled={!stopped || busy} title="Run on to the next breakpoint or the end" onClick={() => go('continue')}>Continue</button>
          <span className="spacer" />
          <button className="btn small" data-testid="test-new" onClick={reset}>New test run</button>
        </div>
        {breakpoints}
        {task && (
          <>
            <h4 className="section">Data now</h4>
            <pre className="json" data-testid="test-data">{formatJson(task.data)}</pre>
            <h4 className="section">Steps</h4>
            <StepList history={task.history ?? []} />
          </>
        )}
      </div>
    );
  }

  return (
    <div className="pad test-run">
      <div className="muted small">
        Runs the saved process with the data below, step by step if you like. API calls and connectors answer with the answers
        pinned here and call nothing; the test task is not counted in the process's counters, sums or metrics.
      </div>
      {dirty && <div className="alert info">The process has unsaved changes: the test runs the saved version.</div>}
      {error && <div className="alert error" data-testid="test-error">{error}</div>}
      <h4 className="section">Input data</h4>
      <textarea
        className="json-input"
        data-testid="test-input"
        rows={5}
        spellCheck={false}
        value={draft.input}
        onChange={(e) => {
          const input = e.target.value;
          setDraft((d) => ({ ...d, input }));
        }}
      />
      <label className="check">
        <input type="checkbox" data-testid="test-debug" checked={draft.debug} onChange={(e) => {
          const debug = e.target.checked;
          setDraft((d) => ({ ...d, debug }));
        }} />
        Stop before every node (step by step)
      </label>
      {breakpoints}
      <h4 className="section">Pinned answers</h4>
      {pinnable.length === 0 && <div className="muted small">This process has no API calls or connectors.</div>}
      {pinnable.map((n) => {
        const pin = draft.answers[n.id];
        const setPin = (patch: Partial<typeof pin>) => setDraft((d) => ({ ...d, answers: { ...d.answers, [n.id]: { ...(d.answers[n.id] ?? newPin()), ...patch } } }));
        return (
          <div key={n.id} className="pin" data-testid={`pin-${n.id}`}>
            <label className="check">
              <input type="checkbox" data-testid={`pin-on-${n.id}`} checked={!!pin?.on} onChange={(e) => setPin({ on: e.target.checked })} />
              <b>{n.title}</b> answers with
            </label>
            {pin?.on ? (
              <>
                <label className="small">
                  HTTP status{' '}
                  <input className="status-input" data-testid={`pin-status-${n.id}`} value={pin.status} onChange={(e) => setPin({ status: e.target.value })} />
                </label>
                <textarea className="json-input" data-testid={`pin-body-${n.id}`} rows={3} spellCheck={false} value={pin.body} onChange={(e) => setPin({ body: e.target.value })} />
              </>
            ) : (
              <div className="muted small">No answer pinned: the test task does not call it and fails there.</div>
            )}
          </div>
        );
      })}
      <div className="row">
        <button className="btn primary" data-testid="start-test" disabled={busy} onClick={start}>
          {draft.debug || draft.breakpoints.length ? 'Start debugging' : 'Run the test'}
        </button>
      </div>
    </div>
  );
}
