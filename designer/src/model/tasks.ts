// What the tasks panel derives from the live counters and from a task's data.
import type { Counters } from './types';

/**
 * A text that changes whenever a task enters or leaves the node (or any node when none is
 * selected): the task list reloads on it. Counting in and out, not only "now", also catches a
 * task that left while another came in.
 */
export function taskListSignal(counters: Counters | null | undefined, nodeId: string | null): string {
  if (!counters) return '';
  const nodes = nodeId ? [counters.nodes[nodeId]].filter(Boolean) : Object.values(counters.nodes);
  let now = 0;
  let entered = 0;
  let left = 0;
  for (const c of nodes) {
    now += c.now;
    entered += c.entered;
    left += c.left;
  }
  return `${now}/${entered}/${left}`;
}

/** One error the engine wrote into a task's data (Corezoid's __conveyor_{kind}_return_…__ fields). */
export interface TaskErrorDetail {
  /** The node type's error kind: api, code, a connector's vendor, or task for a stop the runner made. */
  kind: string;
  type?: string;
  tag?: string;
  description?: string;
}

const ERROR_FIELD = /^__conveyor_(.+)_return_(type_error|type_tag|description)__$/;

/** Splits a task's data into the analyst's own data and the error details the engine added. */
export function splitTaskData(data: Record<string, unknown> | null | undefined): { data: Record<string, unknown>; errors: TaskErrorDetail[]; other: Record<string, unknown> } {
  const own: Record<string, unknown> = {};
  const other: Record<string, unknown> = {};
  const byKind = new Map<string, TaskErrorDetail>();
  for (const [key, value] of Object.entries(data ?? {})) {
    const m = ERROR_FIELD.exec(key);
    if (m) {
      const detail = byKind.get(m[1]) ?? { kind: m[1] };
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (m[2] === 'type_error') detail.type = text;
      else if (m[2] === 'type_tag') detail.tag = text;
      else detail.description = text;
      byKind.set(m[1], detail);
    } else if (key.startsWith('__conveyor_')) {
      other[key] = value;
    } else {
      own[key] = value;
    }
  }
  return { data: own, errors: [...byKind.values()], other };
}

/** The JSON an analyst typed to wake a task: an object, or a sentence saying what is wrong. */
export function parseWakeData(text: string): { data: Record<string, unknown> } | { error: string } {
  if (!text.trim()) return { data: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { error: `This is not valid JSON: ${(e as Error).message}` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { error: 'The data must be a JSON object, like {"paid": true}.' };
  return { data: value as Record<string, unknown> };
}
