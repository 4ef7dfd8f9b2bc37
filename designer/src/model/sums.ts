import type { NodeDef } from './types';

export interface SumLine {
  name: string;
  /** The running sum as the engine keeps it (exact decimal text); null when it is not known here (live view off). */
  value: string | null;
}

/**
 * The sums a sum node shows: each name its params configure, with its running value from the live
 * counters (a sum no task has reached yet is 0). Names the node no longer configures are left out.
 */
export function sumLines(node: Pick<NodeDef, 'type' | 'params'>, live: Record<string, string> | null | undefined): SumLine[] {
  if (node.type !== 'sum') return [];
  const sums = node.params?.sums;
  if (!sums || typeof sums !== 'object' || Array.isArray(sums)) return [];
  return Object.keys(sums).map((name) => ({ name, value: live === null || live === undefined ? null : (live[name] ?? '0') }));
}
