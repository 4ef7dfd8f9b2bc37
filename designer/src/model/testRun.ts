// Test runs: the draft the "Test run" panel edits, the request it sends, and each step's data
// before and after (from the history's difference, or a test task's whole data after each step).
import type { CatalogIndex } from './convert';
import type { Definition, HistoryStep } from './types';

/** An answer pinned for a node, as the analyst types it. */
export interface PinDraft {
  on: boolean;
  status: string;
  body: string;
}

export interface TestRunDraft {
  /** The task's input data (JSON text). */
  input: string;
  /** Stop before every node. */
  debug: boolean;
  breakpoints: string[];
  answers: Record<string, PinDraft>;
}

export const emptyDraft = (): TestRunDraft => ({ input: '{}', debug: true, breakpoints: [], answers: {} });

export const newPin = (): PinDraft => ({ on: true, status: '200', body: '{}' });

/** Adds the node to the list, or takes it out if it is there. */
export function toggle(list: string[], id: string): string[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}

/** Nodes whose calls a test run answers from a pinned answer: API calls and connectors. */
export function pinnableNodes(def: Definition, catalog: CatalogIndex): { id: string; title: string }[] {
  return def.nodes
    .filter((n) => {
      const c = catalog[n.type];
      return c?.kind === 'effect' && (c.category === 'integration' || c.category === 'connectors');
    })
    .map((n) => ({ id: n.id, title: n.title || catalog[n.type]?.title || n.type }));
}

export interface TestRunRequest {
  data: Record<string, unknown>;
  test: { debug: boolean; breakpoints: string[]; answers: Record<string, { status: number; body: unknown }> };
}

/** What POST /api/processes/{conv_id}/tasks takes for this draft, or the first thing wrong with it, in a sentence. */
export function testRunRequest(draft: TestRunDraft, nodes: { id: string; title?: string }[]): { request: TestRunRequest } | { error: string } {
  const ids = new Set(nodes.map((n) => n.id));
  const titleOf = (id: string) => nodes.find((n) => n.id === id)?.title || id;
  const data = parse(draft.input.trim() || '{}');
  if ('error' in data) return { error: `The input data is not JSON: ${data.error}` };
  if (!isObject(data.value)) return { error: 'The input data must be a JSON object, like {"phone": "+100"}' };
  const answers: TestRunRequest['test']['answers'] = {};
  for (const [id, pin] of Object.entries(draft.answers)) {
    if (!pin.on || !ids.has(id)) continue;
    const status = Number(pin.status);
    if (!Number.isInteger(status) || status < 100 || status > 599) return { error: `The answer pinned for “${titleOf(id)}” needs an HTTP status from 100 to 599` };
    const body = parse(pin.body.trim() || 'null');
    if ('error' in body) return { error: `The answer pinned for “${titleOf(id)}” is not JSON: ${body.error}` };
    answers[id] = { status, body: body.value };
  }
  return { request: { data: data.value, test: { debug: draft.debug, breakpoints: draft.breakpoints.filter((b) => ids.has(b)), answers } } };
}

/** One key a step changed. */
export interface Change {
  key: string;
  kind: 'added' | 'changed' | 'removed';
  before?: unknown;
  after?: unknown;
}

/** One step as the panels show it: the node's title, what changed, and (test tasks) the whole data before and after. */
export interface StepView {
  nodeId: string;
  title: string;
  outcome: string;
  exit: string | null;
  error: string | null;
  at: string;
  changes: Change[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The keys a history step changed, with their old and new values. */
export function changesOf(step: HistoryStep): Change[] {
  const old = step.before ?? {};
  const changes: Change[] = [];
  for (const [key, value] of Object.entries(step.set ?? {}))
    changes.push(key in old ? { key, kind: 'changed', before: old[key], after: value } : { key, kind: 'added', after: value });
  for (const key of step.unset ?? []) changes.push({ key, kind: 'removed', before: old[key] });
  return changes;
}

/** The data before a step: its data after with the step's changes taken back. */
export function revert(after: Record<string, unknown>, step: HistoryStep): Record<string, unknown> {
  const before = { ...after };
  const old = step.before ?? {};
  for (const key of Object.keys(step.set ?? {})) {
    if (key in old) before[key] = old[key];
    else delete before[key];
  }
  for (const key of step.unset ?? []) before[key] = old[key];
  return before;
}

export function stepViews(history: HistoryStep[]): StepView[] {
  let previous: Record<string, unknown> | null = null;
  return history.map((step) => {
    const after = step.data ?? null;
    const before = after ? (previous ?? revert(after, step)) : null;
    if (after) previous = after;
    return {
      nodeId: step.node_id,
      title: step.title || step.node_id,
      outcome: step.outcome,
      exit: step.exit,
      error: step.error,
      at: step.at,
      changes: changesOf(step),
      before,
      after,
    };
  });
}

/** Where a test task is, in words, for the panel's status line. */
export function testTaskState(task: { status: string; result: string | null; wait: string | null; node_id: string }, titleOf: (id: string) => string): string {
  if (task.status === 'finished') return `Finished: ${task.result ?? 'done'}, in “${titleOf(task.node_id)}”`;
  if (task.status === 'waiting' && task.wait === 'debug') return `Stopped before “${titleOf(task.node_id)}”`;
  if (task.status === 'waiting') return `Waiting in “${titleOf(task.node_id)}” for ${task.wait ?? 'a wake'}`;
  return `Running in “${titleOf(task.node_id)}”…`;
}

/** True while the task moves by itself (the panel keeps reading it). */
export const isMoving = (task: { status: string }) => task.status === 'processing';

function parse(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
