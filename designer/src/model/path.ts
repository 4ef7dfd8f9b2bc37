import { edgeId } from './convert';
import type { HistoryStep } from './types';

export interface PathHighlight {
  nodes: Set<string>;
  edges: Set<string>;
  /** Node where the task is now (the last step's node). */
  current: string | null;
}

/**
 * The nodes a task went through and the edges it took. An edge is the exit of a
 * step that leads to the node of the next step (source::exit).
 */
export function pathFromHistory(history: HistoryStep[], currentNode?: string | null): PathHighlight {
  const nodes = new Set<string>();
  const edges = new Set<string>();
  for (let i = 0; i < history.length; i++) {
    const step = history[i];
    nodes.add(step.node_id);
    const next = history[i + 1];
    if (next && step.exit) edges.add(edgeId(step.node_id, step.exit));
  }
  if (currentNode) nodes.add(currentNode);
  const last = history.length ? history[history.length - 1].node_id : null;
  return { nodes, edges, current: currentNode ?? last };
}

/** The edge ids of a path, checked against the exits the definition really has. */
export function pathEdgesInDefinition(
  history: HistoryStep[],
  exitsOf: (nodeId: string) => Record<string, string> | undefined,
): Set<string> {
  const edges = new Set<string>();
  for (let i = 0; i + 1 < history.length; i++) {
    const step = history[i];
    const next = history[i + 1];
    const exits = exitsOf(step.node_id) ?? {};
    if (step.exit && exits[step.exit] === next.node_id) {
      edges.add(edgeId(step.node_id, step.exit));
    } else {
      // The step's exit is unknown or changed since: take any exit leading to the next node.
      for (const [exit, target] of Object.entries(exits)) {
        if (target === next.node_id) edges.add(edgeId(step.node_id, exit));
      }
    }
  }
  return edges;
}
