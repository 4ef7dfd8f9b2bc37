import { useCallback, useEffect, useState } from 'react';
import { api } from '../../api';
import { pathEdgesInDefinition, pathFromHistory } from '../../model/path';
import { parseWakeData, splitTaskData, taskListSignal } from '../../model/tasks';
import type { Task, TaskDetails } from '../../model/types';
import { useEditor } from '../../store/editor';
import { formatJson, formatTime } from '../format';
import { StepList } from './StepList';

/** Live tasks: the tasks in the selected node (or all), and one task's history and path. */
export function TasksPanel() {
  const convId = useEditor((s) => s.convId)!;
  const selected = useEditor((s) => (s.selectedNodes.length === 1 ? s.selectedNodes[0] : null));
  const tracked = useEditor((s) => s.trackedTask);
  const track = useEditor((s) => s.track);
  const now = useEditor((s) => (selected ? (s.counters?.nodes[selected]?.now ?? null) : null));
  // Moves whenever a task enters or leaves the node (or the process): the list follows it.
  const signal = useEditor((s) => taskListSignal(s.counters, selected));
  const canChange = useEditor((s) => !s.viewing);
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [ref, setRef] = useState('');
  const [status, setStatus] = useState('');
  const [result, setResult] = useState('');
  const [error, setError] = useState<string | null>(null);
  // What the last bulk retry did, for the node it was made on.
  const [done, setDone] = useState<{ node: string; text: string } | null>(null);

  const load = useCallback(async () => {
    try {
      setTasks(await api.tasks(convId, { node_id: selected ?? undefined, ref: ref.trim() || undefined, status: status || undefined, result: result || undefined, limit: 50 }));
      setError(null);
    } catch (e) {
      setError((e as Error).message);
    }
  }, [convId, selected, ref, status, result]);

  // Reload when the filter changes and whenever a task enters or leaves.
  useEffect(() => {
    const t = setTimeout(load, 200);
    return () => clearTimeout(t);
  }, [load, signal]);

  async function retryAll(nodeId: string) {
    try {
      const r = await api.retryNode(convId, nodeId);
      setDone({
        node: nodeId,
        text: r.retried === 0 && r.refused.length === 0
          ? `No task ended in an error after failing in ${nodeId}.`
          : `${r.retried} task${r.retried === 1 ? '' : 's'} sent back to ${nodeId}.${r.refused.length ? ` Not retried: ${r.refused.join('; ')}` : ''}`,
      });
      setError(null);
      await load();
    } catch (e) {
      setError((e as Error).message);
    }
  }

  if (tracked) return <TaskView objId={tracked} onBack={() => track(null, null)} />;

  return (
    <div className="pad">
      <div className="muted small">
        {selected ? (
          <>Tasks in node <b>{selected}</b>{now != null ? ` · ${now} now` : ''}</>
        ) : (
          'All tasks of the process (select a node to see the tasks in it)'
        )}
      </div>
      <div className="row filters">
        <input placeholder="ref" value={ref} onChange={(e) => setRef(e.target.value)} />
        <select value={status} aria-label="status" data-testid="task-status-filter" onChange={(e) => setStatus(e.target.value)}>
          <option value="">any status</option>
          <option value="processing">processing</option>
          <option value="waiting">waiting</option>
          <option value="finished">finished</option>
        </select>
        <select value={result} aria-label="result" data-testid="task-result-filter" onChange={(e) => setResult(e.target.value)}>
          <option value="">any result</option>
          <option value="success">success</option>
          <option value="error">error</option>
        </select>
        <button className="btn small" title="Reload" onClick={load}>↻</button>
      </div>
      {selected && canChange && (
        <div className="row">
          <button
            className="btn small"
            data-testid="retry-node"
            title={`Send every task that ended in an error after failing in ${selected} back to it`}
            onClick={() => retryAll(selected)}
          >
            ↻ Retry all failed here
          </button>
        </div>
      )}
      {done && done.node === selected && <div className="alert info" data-testid="tasks-done">{done.text}</div>}
      {error && <div className="alert error">{error}</div>}
      {tasks && tasks.length === 0 && <div className="muted">No tasks.</div>}
      <ul className="tasks">
        {tasks?.map((t) => (
          <li key={t.obj_id} onClick={() => track(t.obj_id, null)}>
            <div className="row">
              <code className="small">{t.ref || t.obj_id}</code>
              {t.test && <span className="tag info" title="A test task: counted nowhere, its API calls answered from pinned answers">test</span>}
              <span className={`status ${t.status} ${t.result ?? ''}`}>{t.result ?? t.status}</span>
            </div>
            <div className="muted small">
              {t.node_id} · {formatTime(t.changed_at)}
            </div>
            <pre className="data-preview">{preview(splitTaskData(t.data).data)}</pre>
          </li>
        ))}
      </ul>
    </div>
  );
}

function preview(data: unknown): string {
  const s = JSON.stringify(data ?? {});
  return s.length > 160 ? `${s.slice(0, 160)}…` : s;
}

/** One task: its data and history step by step; its path is highlighted on the canvas. */
export function TaskView({ objId, onBack }: { objId: string; onBack: () => void }) {
  const track = useEditor((s) => s.track);
  const canChange = useEditor((s) => !s.viewing);
  const [task, setTask] = useState<TaskDetails | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [wakeText, setWakeText] = useState('{}');

  const load = useCallback(
    () =>
      api.task(objId).then(
        (t) => {
          setTask(t);
          setError(null);
          const def = useEditor.getState().def;
          const path = pathFromHistory(t.history ?? [], t.node_id);
          if (def) {
            const byId = new Map(def.nodes.map((n) => [n.id, n.exits]));
            path.edges = pathEdgesInDefinition(t.history ?? [], (id) => byId.get(id));
          }
          track(objId, path);
        },
        (e: Error) => setError(e.message),
      ),
    [objId, track],
  );

  // Follow the task until it finishes.
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (!task || task.status === 'finished') return;
    const t = setInterval(load, 1500);
    return () => clearInterval(t);
  }, [task, load]);

  return (
    <div className="pad">
      <button className="btn small" onClick={onBack}>← Tasks</button>
      {error && <div className="alert error">{error}</div>}
      {!task && !error && <div className="muted">Loading…</div>}
      {task && (
        <>
          <div className="task-head">
            <div>
              <code>{task.obj_id}</code>
              {task.test && <span className="tag info">test</span>}
              {task.ref && <div className="muted small">ref: {task.ref}</div>}
            </div>
            <span className={`status ${task.status} ${task.result ?? ''}`}>{task.result ?? task.status}</span>
          </div>
          <div className="muted small">
            now in <b>{task.node_id}</b> · created {formatTime(task.created_at)}
          </div>
          {(task.wake_at || task.time_limit_at) && (
            <div className="muted small" data-testid="task-wake">
              {task.wait ? `waits for ${task.wait}` : 'waits'}
              {task.wake_at && <> · wakes {formatTime(task.wake_at)}</>}
              {task.time_limit_at && <> · time limit {formatTime(task.time_limit_at)}</>}
            </div>
          )}
          {task.status === 'finished' && task.result === 'error' && (
            <button
              className="btn small"
              data-testid="retry-task"
              title="Run the node that failed again, with the task's data as it is now"
              onClick={async () => {
                try {
                  await api.retryTask(task.obj_id);
                  await load();
                } catch (e) {
                  setError((e as Error).message);
                }
              }}
            >
              ↻ Retry from the failed step
            </button>
          )}
          {canChange && task.status === 'waiting' && task.wait === 'callback' && (
            <form
              className="wake-form"
              data-testid="wake-form"
              onSubmit={async (e) => {
                e.preventDefault();
                const parsed = parseWakeData(wakeText);
                if ('error' in parsed) return setError(parsed.error);
                try {
                  await api.wakeTask(task.obj_id, parsed.data);
                  setWakeText('{}');
                  await load();
                } catch (err) {
                  setError((err as Error).message);
                }
              }}
            >
              <label className="small muted" htmlFor="wake-data">Wake it with this data (JSON, merged into the task's data):</label>
              <textarea id="wake-data" data-testid="wake-data" rows={3} value={wakeText} onChange={(e) => setWakeText(e.target.value)} />
              <button className="btn small primary" type="submit" data-testid="wake-task">Wake the task</button>
            </form>
          )}
          {canChange && (
            <button
              className="btn small danger-ghost"
              data-testid="delete-task"
              title="Delete the task and its history; its ref is free again"
              onClick={async () => {
                if (!window.confirm(`Delete task ${task.ref ? `“${task.ref}”` : task.obj_id} and its history? This cannot be undone.`)) return;
                try {
                  await api.deleteTask(task.obj_id);
                  onBack();
                } catch (err) {
                  setError((err as Error).message);
                }
              }}
            >
              Delete task
            </button>
          )}
          <TaskData data={task.data} />
          <h4 className="section">History</h4>
          <StepList history={task.history ?? []} />
        </>
      )}
    </div>
  );
}

/** The task's own data, then the error details the engine added (apart, in words). */
function TaskData({ data }: { data: Record<string, unknown> }) {
  const split = splitTaskData(data);
  return (
    <>
      <h4 className="section">Data</h4>
      <pre className="json" data-testid="task-data">{formatJson(split.data)}</pre>
      {split.errors.length > 0 && (
        <>
          <h4 className="section">Error details</h4>
          <dl className="error-details" data-testid="task-error-details">
            {split.errors.map((e) => (
              <div key={e.kind}>
                <dt>{e.kind === 'task' ? 'Stopped by the engine' : `${e.kind} error`}{e.type ? ` (${e.type === 'hardware' ? 'temporary: worth retrying' : 'permanent'})` : ''}</dt>
                <dd>{e.description ?? e.tag}{e.tag && e.description ? <span className="muted small"> · {e.tag}</span> : null}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      {Object.keys(split.other).length > 0 && (
        <>
          <h4 className="section">Engine fields</h4>
          <pre className="json">{formatJson(split.other)}</pre>
        </>
      )}
    </>
  );
}
