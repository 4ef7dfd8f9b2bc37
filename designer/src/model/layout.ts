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
