import { create } from 'zustand';
import { canonical, indexCatalog, type CatalogIndex } from '../model/convert';
import { clearEditedErrors, indexErrors, type ErrorIndex } from '../model/errors';
import { placeMissing } from '../model/layout';
import type { PathHighlight } from '../model/path';
import { emptyDraft, type TestRunDraft } from '../model/testRun';
import { createUndo, pushUndo, redo, undo, type UndoStack } from '../model/undo';
import type { CatalogEntry, Counters, Definition, ProcessSummary, ValidationError } from '../model/types';

export type SideTab = 'node' | 'process' | 'versions' | 'tasks' | 'test' | 'public' | 'errors';

export interface EditorState {
  convId: number | null;
  summary: ProcessSummary | null;
  catalogList: CatalogEntry[];
  catalog: CatalogIndex;
  /** The definition being edited. */
  def: Definition | null;
  /** Canonical JSON of the last saved definition (dirty check). */
  savedJson: string;
  history: UndoStack<Definition>;
  selectedNodes: string[];
  selectedEdges: string[];
  errors: ErrorIndex;
  /** What the server accepted with remarks (a node no path reaches: a draft may keep it, no task enters it). */
  warnings: ValidationError[];
  tab: SideTab;
  /** A past version shown read-only on the canvas. */
  viewing: { version: number; def: Definition } | null;
  live: boolean;
  counters: Counters | null;
  /** Task whose path is highlighted. */
  trackedTask: string | null;
  path: PathHighlight | null;
  /** The Test run panel's input, breakpoints and pinned answers. */
  testDraft: TestRunDraft;
  /** The test task of the Test run panel, and the node it is stopped before (highlighted). */
  testTask: string | null;
  debugAt: string | null;

  /** Opens a process; resolves once nodes without a position have one. */
  load(summary: ProcessSummary, def: Definition): Promise<void>;
  setCatalog(list: CatalogEntry[]): void;
  /** Applies an edit and records an undo step (merged with the previous one when `key` repeats). */
  change(fn: (d: Definition) => Definition, key?: string): void;
  /** Changes the definition without an undo step (used while dragging). */
  replace(fn: (d: Definition) => Definition): void;
  /** Records the current state as an undo step (before a drag). */
  checkpoint(): void;
  undo(): void;
  redo(): void;
  select(nodes: string[], edges?: string[]): void;
  setErrors(errors: ValidationError[]): void;
  setWarnings(warnings: ValidationError[]): void;
  /** Records a successful save: `saved` is what the server stored; `current` what the editor shows now. */
  markSaved(summary: ProcessSummary, saved: Definition, current?: Definition): void;
  setTab(tab: SideTab): void;
  setViewing(v: { version: number; def: Definition } | null): Promise<void>;
  setLive(live: boolean): void;
  setCounters(c: Counters | null): void;
  track(taskId: string | null, path: PathHighlight | null): void;
  setSummary(s: ProcessSummary): void;
  setTestDraft(fn: (d: TestRunDraft) => TestRunDraft): void;
  setTestTask(objId: string | null, debugAt?: string | null): void;
}

/** What a freshly opened process starts with: no history, selection, errors or live view. */
const freshView = () => ({
  history: createUndo<Definition>(),
  selectedNodes: [],
  selectedEdges: [],
  errors: indexErrors([]),
  warnings: [] as ValidationError[],
  tab: 'process' as const,
  viewing: null,
  live: false,
  counters: null,
  trackedTask: null,
  path: null,
  testDraft: emptyDraft(),
  testTask: null,
  debugAt: null,
});

export const useEditor = create<EditorState>((set, get) => ({
  convId: null,
  summary: null,
  catalogList: [],
  catalog: {},
  def: null,
  savedJson: '',
  ...freshView(),

  load: async (summary, loaded) => {
    // Nodes without x/y (allowed by the format) get a position, so they do not pile up at 0,0.
    const def = await placeMissing(loaded, get().catalog);
    set({
      convId: summary.conv_id,
      summary,
      def,
      savedJson: canonical(def),
      ...freshView(),
    });
  },
  setCatalog: (list) => set({ catalogList: list, catalog: indexCatalog(list) }),
  change: (fn, key) => {
    const { def, history, viewing } = get();
    if (!def || viewing) return;
    const next = fn(def);
    if (next === def) return;
    const { errors } = get();
    const remaining = key ? clearEditedErrors(errors.all, key) : errors.all;
    set({ def: next, history: pushUndo(history, def, key), ...(remaining !== errors.all ? { errors: indexErrors(remaining) } : {}) });
  },
  replace: (fn) => {
    const { def, viewing } = get();
    if (!def || viewing) return;
    set({ def: fn(def) });
  },
  checkpoint: () => {
    const { def, history } = get();
    if (def) set({ history: pushUndo(history, def) });
  },
  undo: () => {
    const { def, history } = get();
    if (!def) return;
    const r = undo(history, def);
    if (r) set({ def: r.state, history: r.stack, selectedNodes: keep(get().selectedNodes, r.state) });
  },
  redo: () => {
    const { def, history } = get();
    if (!def) return;
    const r = redo(history, def);
    if (r) set({ def: r.state, history: r.stack, selectedNodes: keep(get().selectedNodes, r.state) });
  },
  select: (nodes, edges = []) => {
    const cur = get();
    if (same(cur.selectedNodes, nodes) && same(cur.selectedEdges, edges)) return;
    const tab = nodes.length === 1 && (cur.tab === 'process' || cur.tab === 'errors') ? 'node' : cur.tab;
    set({ selectedNodes: nodes, selectedEdges: edges, tab });
  },
  setErrors: (errors) => set({ errors: indexErrors(errors) }),
  setWarnings: (warnings) => set({ warnings }),
  markSaved: (summary, saved, current) => set({ summary, def: current ?? saved, savedJson: canonical(saved) }),
  setTab: (tab) => set({ tab }),
  setViewing: async (viewing) => set({ viewing: viewing && { ...viewing, def: await placeMissing(viewing.def, get().catalog) }, selectedNodes: [], selectedEdges: [] }),
  setLive: (live) => set(live ? { live } : { live, counters: null }),
  setCounters: (counters) => set({ counters }),
  track: (trackedTask, path) => set({ trackedTask, path }),
  setSummary: (summary) => set({ summary }),
  setTestDraft: (fn) => set({ testDraft: fn(get().testDraft) }),
  setTestTask: (testTask, debugAt = null) => set({ testTask, debugAt }),
}));

function keep(selected: string[], def: Definition): string[] {
  const ids = new Set(def.nodes.map((n) => n.id));
  return selected.filter((id) => ids.has(id));
}

function same(a: string[], b: string[]) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * What the editor page shows (with useShallow): everything but the counters, the catalog index and
 * the canvas's own selection of edges, so a live-counter push does not re-render the page.
 * Actions are stable and come along.
 */
export const editorPageView = (s: EditorState) => ({
  convId: s.convId,
  summary: s.summary,
  catalogList: s.catalogList,
  def: s.def,
  savedJson: s.savedJson,
  history: s.history,
  selectedNodes: s.selectedNodes,
  errors: s.errors,
  warnings: s.warnings,
  tab: s.tab,
  viewing: s.viewing,
  live: s.live,
  trackedTask: s.trackedTask,
  path: s.path,
  undo: s.undo,
  redo: s.redo,
  select: s.select,
  setTab: s.setTab,
  setViewing: s.setViewing,
  setLive: s.setLive,
  track: s.track,
});

/** What the canvas draws from (with useShallow): no counters, each node selects its own. */
export const canvasView = (s: EditorState) => ({
  def: s.viewing?.def ?? s.def,
  readOnly: !!s.viewing,
  catalog: s.catalog,
  selectedNodes: s.selectedNodes,
  selectedEdges: s.selectedEdges,
  errors: s.errors,
  path: s.path,
  breakpoints: s.testDraft.breakpoints,
  debugAt: s.debugAt,
});

export function isDirty(s: Pick<EditorState, 'def' | 'savedJson'>): boolean {
  return !!s.def && canonical(s.def) !== s.savedJson;
}
