import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api, subscribeCounters } from '../api';
import { useEditor } from '../store/editor';
import type { Flash } from './useNotice';

/**
 * While "Live" is on (or the tasks tab is open), keeps the store's counters current over server-sent events. The pushes go
 * to the store only: each canvas node selects its own count, so a push re-renders the nodes whose
 * count changed, not the page or the canvas.
 */
export function useLiveCounters(convId: number, flash: Flash) {
  // The tasks tab follows the counters too (its list reloads when a task moves); the canvas shows them only while live.
  const live = useEditor((s) => s.live || s.tab === 'tasks');
  useEffect(() => {
    if (!live) return;
    const wanted = () => useEditor.getState().live || useEditor.getState().tab === 'tasks';
    api.counters(convId).then((c) => wanted() && useEditor.getState().setCounters(c)).catch(() => {});
    return subscribeCounters(
      convId,
      (c) => useEditor.getState().setCounters(c),
      (state) => state === 'error' && flash('info', 'Live stream interrupted, reconnecting…', 2000),
    );
  }, [live, convId, flash]);
}

/** The count a canvas node shows: tasks in it now while live, nothing otherwise or on a past version. */
export function useNodeCounter(nodeId: string): number | null {
  return useEditor((s) => (s.live && !s.viewing ? (s.counters?.nodes[nodeId]?.now ?? 0) : null));
}

const NO_SUMS: Record<string, string> = {};

/** A sum node's running sums while live (name → exact decimal text), null otherwise; a push that leaves them equal does not re-render the node. */
export function useNodeSums(nodeId: string): Record<string, string> | null {
  return useEditor(useShallow((s) => (s.live && !s.viewing && s.counters ? (s.counters.sums?.[nodeId] ?? NO_SUMS) : null)));
}
