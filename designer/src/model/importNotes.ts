// The Corezoid importer's notes kept with the version it made (the definition's import_notes): the
// editor marks the nodes they name, so the analyst sees where to look. Saving a new version drops them.
import { describeIssue, type ImportIssue } from './corezoid';
import type { Definition } from './types';

/** The notes of one definition: per node on the canvas, and the rest (the process's, or a node no longer there). */
export interface ImportMarks {
  byNode: Record<string, ImportIssue[]>;
  process: ImportIssue[];
  /** How many notes in all. */
  count: number;
}

const NONE: ImportMarks = { byNode: {}, process: [], count: 0 };

/** Groups a definition's import notes by the node they name; notes of nodes not in it go with the process's. */
export function importMarks(def: Definition | null | undefined): ImportMarks {
  const notes = (def?.import_notes ?? []).filter((n): n is ImportIssue => !!n && typeof n.what === 'string');
  if (notes.length === 0) return NONE;
  const ids = new Set(def!.nodes.map((n) => n.id));
  const byNode: Record<string, ImportIssue[]> = {};
  const process: ImportIssue[] = [];
  for (const note of notes) {
    if (note.node_id && ids.has(note.node_id)) (byNode[note.node_id] ??= []).push(note);
    else process.push(note);
  }
  return { byNode, process, count: notes.length };
}

/** One node's mark: "not converted" when one of its actions has no counterpart here, else "changed". */
export function markKind(notes: ImportIssue[]): 'not-convertible' | 'changed' {
  return notes.some((n) => n.not_convertible) ? 'not-convertible' : 'changed';
}

/** The mark's tooltip: a heading and each note on its own line. */
export function markTitle(notes: ImportIssue[]): string {
  const heading = markKind(notes) === 'not-convertible' ? 'Not converted by the Corezoid import' : 'Changed by the Corezoid import';
  return [heading, ...notes.map((n) => `• ${n.what}${n.why ? ` — ${n.why}` : ''}`)].join('\n');
}

/** A note as one line of a list ("node 'Call API' (n3): what — why"). */
export const noteText = describeIssue;

/** What the editor saves: the definition without the notes (the analyst has seen them; they belong to the imported version). */
export function withoutImportNotes<T extends Partial<Definition>>(def: T): T {
  if (!('import_notes' in def)) return def;
  const rest = { ...def };
  delete rest.import_notes;
  return rest;
}
