/**
 * Immutable undo/redo history of snapshots.
 * `push` records the state *before* a change. Consecutive pushes with the same
 * non-empty `key` (e.g. typing in one field) are merged into one undo step.
 */
export interface UndoStack<T> {
  past: T[];
  future: T[];
  lastKey: string | null;
  limit: number;
}

export function createUndo<T>(limit = 100): UndoStack<T> {
  return { past: [], future: [], lastKey: null, limit };
}

export function pushUndo<T>(stack: UndoStack<T>, before: T, key?: string): UndoStack<T> {
  if (key && stack.lastKey === key && stack.past.length > 0) {
    return { ...stack, future: [] };
  }
  const past = [...stack.past, before];
  if (past.length > stack.limit) past.splice(0, past.length - stack.limit);
  return { ...stack, past, future: [], lastKey: key ?? null };
}

export function canUndo<T>(s: UndoStack<T>): boolean {
  return s.past.length > 0;
}

export function canRedo<T>(s: UndoStack<T>): boolean {
  return s.future.length > 0;
}

/** Returns the new stack and the state to show, or null when there is nothing to undo. */
export function undo<T>(s: UndoStack<T>, current: T): { stack: UndoStack<T>; state: T } | null {
  if (!s.past.length) return null;
  const state = s.past[s.past.length - 1];
  return {
    stack: { ...s, past: s.past.slice(0, -1), future: [current, ...s.future], lastKey: null },
    state,
  };
}

export function redo<T>(s: UndoStack<T>, current: T): { stack: UndoStack<T>; state: T } | null {
  if (!s.future.length) return null;
  const [state, ...future] = s.future;
  return { stack: { ...s, past: [...s.past, current], future, lastKey: null }, state };
}
