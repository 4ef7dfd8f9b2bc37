import { uniqueId } from './ids';
import type { Definition, NodeDef } from './types';

/** What Ctrl+C puts on the clipboard. */
export interface Clip {
  kind: 'workflows-nodes';
  nodes: NodeDef[];
}

export function copyNodes(def: Definition, ids: Iterable<string>): Clip {
  const set = new Set(ids);
  return { kind: 'workflows-nodes', nodes: structuredClone(def.nodes.filter((n) => set.has(n.id))) };
}

/**
 * Pastes copied nodes with fresh ids. Exits between copied nodes are kept
 * (renamed to the new ids); exits to nodes outside the copy are dropped.
 * A second `start` node is not allowed, so copied start nodes are skipped.
 * Returns the new definition and the ids of the pasted nodes.
 */
export function pasteNodes(
  def: Definition,
  clip: Clip,
  offset: { x: number; y: number } = { x: 40, y: 40 },
): { def: Definition; ids: string[] } {
  const taken = new Set(def.nodes.map((n) => n.id));
  const hasStart = def.nodes.some((n) => n.type === 'start');
  const rename = new Map<string, string>();
  const source = clip.nodes.filter((n) => !(n.type === 'start' && hasStart));
  for (const n of source) {
    const id = uniqueId(n.id, taken);
    taken.add(id);
    rename.set(n.id, id);
  }
  const pasted: NodeDef[] = source.map((n) => {
    const exits: Record<string, string> = {};
    for (const [k, v] of Object.entries(n.exits ?? {})) {
      const t = rename.get(v);
      if (t) exits[k] = t;
    }
    return {
      ...structuredClone(n),
      id: rename.get(n.id)!,
      x: (n.x ?? 0) + offset.x,
      y: (n.y ?? 0) + offset.y,
      exits,
    };
  });
  return { def: { ...def, nodes: [...def.nodes, ...pasted] }, ids: pasted.map((n) => n.id) };
}

export function isClip(v: unknown): v is Clip {
  return !!v && typeof v === 'object' && (v as Clip).kind === 'workflows-nodes' && Array.isArray((v as Clip).nodes);
}
