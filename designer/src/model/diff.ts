import { canonical } from './convert';
import type { Definition, NodeDef } from './types';

/** One field that differs, with its old and new value as text ("" when it was absent). */
export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

export interface NodeChange {
  id: string;
  /** Names of the top-level node fields that differ: title, params.src, exits.next, … */
  fields: string[];
  /** The same fields with their old and new values. */
  values: FieldChange[];
  before: NodeDef;
  after: NodeDef;
}

export interface DefinitionDiff {
  added: NodeDef[];
  removed: NodeDef[];
  changed: NodeChange[];
  /** Process-level fields that differ (title, description, alias, settings). */
  process: string[];
  /** The same, with their old and new values. */
  processValues: FieldChange[];
  /** Number of nodes that only moved on the canvas (not counted as changed). */
  moved: number;
}

const PROCESS_FIELDS = ['title', 'description', 'alias', 'settings'] as const;

/** Compares two definitions node by node (matched by id). Moving a node is not a change. */
export function diffDefinitions(a: Definition, b: Definition): DefinitionDiff {
  const before = new Map(a.nodes.map((n) => [n.id, n]));
  const after = new Map(b.nodes.map((n) => [n.id, n]));
  const added = b.nodes.filter((n) => !before.has(n.id));
  const removed = a.nodes.filter((n) => !after.has(n.id));
  const changed: NodeChange[] = [];
  let moved = 0;
  for (const nb of b.nodes) {
    const na = before.get(nb.id);
    if (!na) continue;
    const fields = nodeFieldDiff(na, nb);
    if (fields.length) changed.push({ id: nb.id, fields, values: fields.map((f) => change(f, fieldOf(na, f), fieldOf(nb, f))), before: na, after: nb });
    else if ((na.x ?? 0) !== (nb.x ?? 0) || (na.y ?? 0) !== (nb.y ?? 0)) moved++;
  }
  const process = PROCESS_FIELDS.filter((f) => canonical(a[f] ?? null) !== canonical(b[f] ?? null));
  return { added, removed, changed, process, processValues: process.map((f) => change(f, a[f], b[f])), moved };
}

/** A node's field by its diff name: title, params.src, exits.next… */
function fieldOf(node: NodeDef, field: string): unknown {
  const dot = field.indexOf('.');
  if (dot < 0) return (node as unknown as Record<string, unknown>)[field];
  const group = (node as unknown as Record<string, Record<string, unknown> | undefined>)[field.slice(0, dot)];
  return group?.[field.slice(dot + 1)];
}

function change(field: string, before: unknown, after: unknown): FieldChange {
  return { field, before: valueText(before), after: valueText(after) };
}

/** A value as the diff shows it: text as it is, anything else as JSON; absent as "". */
export function valueText(v: unknown): string {
  if (v === undefined || v === null || v === '') return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function nodeFieldDiff(a: NodeDef, b: NodeDef): string[] {
  const fields: string[] = [];
  for (const f of ['type', 'title', 'description'] as const) {
    if ((a[f] ?? '') !== (b[f] ?? '')) fields.push(f);
  }
  for (const group of ['params', 'exits'] as const) {
    const pa = (a[group] ?? {}) as Record<string, unknown>;
    const pb = (b[group] ?? {}) as Record<string, unknown>;
    const keys = new Set([...Object.keys(pa), ...Object.keys(pb)]);
    for (const k of [...keys].sort()) {
      if (canonical(pa[k] ?? null) !== canonical(pb[k] ?? null)) fields.push(`${group}.${k}`);
    }
  }
  return fields;
}

export function isEmptyDiff(d: DefinitionDiff): boolean {
  return !d.added.length && !d.removed.length && !d.changed.length && !d.process.length;
}
