import type { Edge, Node } from '@xyflow/react';
import type { CatalogEntry, Definition, NodeDef } from './types';
import type { ImportIssue } from './corezoid';
import { displayExits, type ExitInfo } from './exits';

/** Data carried by every canvas node. The NodeDef is the source of truth. */
export interface FlowNodeData extends Record<string, unknown> {
  def: NodeDef;
  catalog?: CatalogEntry;
  exits: ExitInfo[];
  hasError?: boolean;
  onPath?: boolean;
  /** A test run stops before this node. */
  breakpoint?: boolean;
  /** The test task is stopped before this node now. */
  debugHere?: boolean;
  /** What the Corezoid import changed or could not convert here (model/importNotes). */
  importNotes?: ImportIssue[];
}

export type FlowNode = Node<FlowNodeData, 'wf'>;

export interface FlowEdgeData extends Record<string, unknown> {
  exit: string;
}
export type FlowEdge = Edge<FlowEdgeData>;

export type CatalogIndex = Record<string, CatalogEntry>;

export function indexCatalog(entries: CatalogEntry[]): CatalogIndex {
  const idx: CatalogIndex = {};
  for (const e of entries) idx[e.type] = e;
  return idx;
}

export function edgeId(source: string, exit: string): string {
  return `${source}::${exit}`;
}

/** Definition → xyflow nodes. */
export function toFlowNodes(def: Definition, catalog: CatalogIndex): FlowNode[] {
  return def.nodes.map((n) => ({
    id: n.id,
    type: 'wf' as const,
    position: { x: n.x ?? 0, y: n.y ?? 0 },
    data: { def: n, catalog: catalog[n.type], exits: displayExits(n, catalog[n.type]) },
  }));
}

/** Definition → xyflow edges: one edge per exit that points at an existing node. */
export function toFlowEdges(def: Definition): FlowEdge[] {
  const ids = new Set(def.nodes.map((n) => n.id));
  const edges: FlowEdge[] = [];
  for (const n of def.nodes) {
    for (const [exit, target] of Object.entries(n.exits ?? {})) {
      if (!target || !ids.has(target)) continue;
      edges.push({
        id: edgeId(n.id, exit),
        source: n.id,
        sourceHandle: exit,
        target,
        label: exit,
        data: { exit },
      });
    }
  }
  return edges;
}

/**
 * xyflow nodes + edges → definition. Positions come from the nodes, exits from
 * the edges (sourceHandle = exit name). Process-level fields come from `base`.
 */
export function fromFlow(base: Definition, nodes: FlowNode[], edges: FlowEdge[]): Definition {
  const exitsBySource = new Map<string, Record<string, string>>();
  for (const e of edges) {
    const exit = e.sourceHandle ?? e.data?.exit;
    if (!exit) continue;
    const m = exitsBySource.get(e.source) ?? {};
    m[exit] = e.target;
    exitsBySource.set(e.source, m);
  }
  return {
    ...base,
    nodes: nodes.map((n) => ({
      ...n.data.def,
      id: n.id,
      x: Math.round(n.position.x),
      y: Math.round(n.position.y),
      exits: exitsBySource.get(n.id) ?? {},
    })),
  };
}

/** Sets exits[exit] = target on the source node. */
export function connect(def: Definition, source: string, exit: string, target: string): Definition {
  return {
    ...def,
    nodes: def.nodes.map((n) => (n.id === source ? { ...n, exits: { ...n.exits, [exit]: target } } : n)),
  };
}

/** Removes exits[exit] from the source node. */
export function disconnect(def: Definition, source: string, exit: string): Definition {
  return {
    ...def,
    nodes: def.nodes.map((n) => {
      if (n.id !== source || !(exit in (n.exits ?? {}))) return n;
      const exits = { ...n.exits };
      delete exits[exit];
      return { ...n, exits };
    }),
  };
}

/** Removes nodes and every exit pointing at them. */
export function removeNodes(def: Definition, ids: Iterable<string>): Definition {
  const gone = new Set(ids);
  return {
    ...def,
    nodes: def.nodes
      .filter((n) => !gone.has(n.id))
      .map((n) => {
        const exits: Record<string, string> = {};
        let changed = false;
        for (const [k, v] of Object.entries(n.exits ?? {})) {
          if (gone.has(v)) changed = true;
          else exits[k] = v;
        }
        return changed ? { ...n, exits } : n;
      }),
  };
}

export function updateNode(def: Definition, id: string, fn: (n: NodeDef) => NodeDef): Definition {
  return { ...def, nodes: def.nodes.map((n) => (n.id === id ? fn(n) : n)) };
}

export function moveNodes(def: Definition, positions: Record<string, { x: number; y: number }>): Definition {
  return {
    ...def,
    nodes: def.nodes.map((n) => {
      const p = positions[n.id];
      return p ? { ...n, x: Math.round(p.x), y: Math.round(p.y) } : n;
    }),
  };
}

/** Renames a node id and every exit that points at it. Returns null if the new id is taken or empty. */
export function renameNode(def: Definition, from: string, to: string): Definition | null {
  const id = to.trim();
  if (!id || (id !== from && def.nodes.some((n) => n.id === id))) return null;
  return {
    ...def,
    nodes: def.nodes.map((n) => {
      const exits: Record<string, string> = {};
      for (const [k, v] of Object.entries(n.exits ?? {})) exits[k] = v === from ? id : v;
      return { ...n, id: n.id === from ? id : n.id, exits };
    }),
  };
}

/** Default params for a new node, from the catalog's parameter defaults. */
export function defaultParams(entry: CatalogEntry | undefined): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const p of entry?.parameters ?? []) {
    if (p.default !== null && p.default !== undefined) params[p.name] = structuredClone(p.default);
  }
  return params;
}

/** Canonical JSON of a definition, for "is it dirty" and diff comparisons. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const val = (v as Record<string, unknown>)[k];
      if (val !== undefined) out[k] = sortKeys(val);
    }
    return out;
  }
  return v;
}

/** The definition of a copy: same nodes, a new title, no conv_id, alias or import notes (the server gives a free number). */
export function copyOfProcess(def: Definition): Definition {
  const copy = structuredClone(def);
  delete copy.conv_id;
  delete copy.import_notes;
  copy.alias = null;
  copy.title = `${def.title || 'Process'} (copy)`;
  return copy;
}
