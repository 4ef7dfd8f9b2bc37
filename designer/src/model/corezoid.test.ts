import { describe, expect, it } from 'vitest';
import { describeIssue, isCorezoidExport } from './corezoid';

describe('isCorezoidExport', () => {
  it('knows a Corezoid process, a folder and our own format apart', () => {
    expect(isCorezoidExport({ obj_type: 1, title: 'p', scheme: { nodes: [] } })).toBe(true);
    expect(isCorezoidExport([{ obj_type: 0, title: 'folder', list: [] }])).toBe(true);
    expect(isCorezoidExport({ title: 'ours', nodes: [{ id: 'start', type: 'start' }] })).toBe(false);
    expect(isCorezoidExport({ title: 'nothing else' })).toBe(false);
    expect(isCorezoidExport(null)).toBe(false);
    expect(isCorezoidExport('text')).toBe(false);
  });
});

describe('describeIssue', () => {
  it('names the node by title and id, and says why', () => {
    expect(describeIssue({ node_id: 'n3', node_title: 'Call DB', what: 'db_call is not convertible', why: 'no database connector', not_convertible: true }))
      .toBe("node 'Call DB' (n3): db_call is not convertible — no database connector");
    expect(describeIssue({ node_id: null, node_title: null, what: 'alias dropped', why: '', not_convertible: false })).toBe('process: alias dropped');
  });
});
