import { describe, expect, it } from 'vitest';
import type { ImportIssue } from './corezoid';
import { importMarks, markKind, markTitle, withoutImportNotes } from './importNotes';
import type { Definition } from './types';

const note = (node_id: string | null, what: string, not_convertible = false): ImportIssue =>
  ({ node_id, node_title: null, what, why: 'because', not_convertible });

const def = (notes: Definition['import_notes']): Definition => ({
  title: 'p',
  nodes: [
    { id: 'start', type: 'start', params: {}, exits: { next: 'q' } },
    { id: 'q', type: 'set_param', params: {}, exits: { next: 'f' } },
    { id: 'f', type: 'final', params: {}, exits: {} },
  ],
  import_notes: notes,
});

describe('importMarks', () => {
  it('groups notes by the node they name; the process and nodes no longer there go together', () => {
    const marks = importMarks(def([note('q', 'db_call', true), note('q', 'header'), note(null, 'conv_id'), note('gone', 'renamed since')]));
    expect(Object.keys(marks.byNode)).toEqual(['q']);
    expect(marks.byNode.q.map((n) => n.what)).toEqual(['db_call', 'header']);
    expect(marks.process.map((n) => n.what)).toEqual(['conv_id', 'renamed since']);
    expect(marks.count).toBe(4);
  });

  it('marks nothing without notes, and skips entries that are not notes', () => {
    expect(importMarks(def(undefined))).toEqual({ byNode: {}, process: [], count: 0 });
    expect(importMarks(null).count).toBe(0);
    expect(importMarks(def([null as unknown as ImportIssue, note('f', 'kept')])).count).toBe(1);
  });
});

describe('markKind and markTitle', () => {
  it('says not converted when one action has no counterpart, and lists every note', () => {
    expect(markKind([note('q', 'header'), note('q', 'db_call', true)])).toBe('not-convertible');
    expect(markKind([note('q', 'header')])).toBe('changed');
    expect(markTitle([note('q', 'header'), note('q', 'db_call', true)]))
      .toBe('Not converted by the Corezoid import\n• header — because\n• db_call — because');
  });
});

describe('withoutImportNotes', () => {
  it('drops the notes from what is saved and leaves the rest as it was', () => {
    const d = def([note('q', 'header')]);
    const saved = withoutImportNotes(d);
    expect('import_notes' in saved).toBe(false);
    expect(saved.nodes).toBe(d.nodes);
    expect(d.import_notes).toHaveLength(1);
    const plain = { title: 'x', nodes: [] };
    expect(withoutImportNotes(plain)).toBe(plain);
  });
});
