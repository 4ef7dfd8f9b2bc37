import dagre from '@dagrejs/dagre';
import type { Definition } from './types';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 90;

/** Lays the graph out top to bottom with dagre and returns a definition with new x/y. */
export function autoLayout(def: Definition, sizes?: Record<string, { width: number; height: number }>): Definition {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 50, ranksep: 70, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(def.nodes.map((n) => n.id));
  for (const n of def.nodes) {
    const s = sizes?.[n.id];
    g.setNode(n.id, { width: s?.width ?? NODE_WIDTH, height: s?.height ?? NODE_HEIGHT });
  }
  for (const n of def.nodes) {
    for (const target of Object.values(n.exits ?? {})) {
      if (ids.has(target) && target !== n.id) g.setEdge(n.id, target);
    }
  }
  dagre.layout(g);
  return {
    ...def,
    nodes: def.nodes.map((n) => {
      const p = g.node(n.id);
      const s = sizes?.[n.id];
      const w = s?.width ?? NODE_WIDTH;
      const h = s?.height ?? NODE_HEIGHT;
      return p ? { ...n, x: Math.round(p.x - w / 2), y: Math.round(p.y - h / 2) } : n;
    }),
  };
}

/**
 * Gives a position to the nodes that have none. x and y are optional in the format and the server
 * answers 0 for them, so a process written by hand or through the API shows every node on one
 * spot. Nodes without x/y, and nodes exactly on the spot of another node, are laid out with dagre
 * (to the right of the others when some keep their position).
 */
export function placeMissing(def: Definition): Definition {
  const spot = (n: { x?: number; y?: number }) => `${n.x},${n.y}`;
  const count = new Map<string, number>();
  for (const n of def.nodes) count.set(spot(n), (count.get(spot(n)) ?? 0) + 1);
  const missing = new Set(
    def.nodes.filter((n) => typeof n.x !== 'number' || typeof n.y !== 'number' || count.get(spot(n))! > 1).map((n) => n.id),
  );
  if (!missing.size) return def;
  const laid = new Map(autoLayout(def).nodes.map((n) => [n.id, n]));
  const placed = def.nodes.filter((n) => !missing.has(n.id));
  const dx = placed.length ? Math.max(...placed.map((n) => n.x!)) + NODE_WIDTH + 80 : 0;
  return {
    ...def,
    nodes: def.nodes.map((n) => (missing.has(n.id) ? { ...n, x: laid.get(n.id)!.x! + dx, y: laid.get(n.id)!.y! } : n)),
  };
}
