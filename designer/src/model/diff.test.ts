import { describe, expect, it } from 'vitest';
import { diffDefinitions, isEmptyDiff } from './diff';
import { sampleDefinition } from './fixtures';

describe('version diff', () => {
  it('finds no changes between equal definitions', () => {
    const d = diffDefinitions(sampleDefinition(), sampleDefinition());
    expect(isEmptyDiff(d)).toBe(true);
    expect(d.moved).toBe(0);
  });

  it('reports added, removed and changed nodes', () => {
    const a = sampleDefinition();
    const b = sampleDefinition();
    b.nodes = b.nodes.filter((n) => n.id !== 'fail');
    b.nodes.push({ id: 'log', type: 'code', params: { src: '1' }, exits: {} });
    b.nodes[1] = { ...b.nodes[1], title: 'Clean', params: { src: 'x' }, exits: { next: 'check' } };
    const d = diffDefinitions(a, b);
    expect(d.added.map((n) => n.id)).toEqual(['log']);
    expect(d.removed.map((n) => n.id)).toEqual(['fail']);
    expect(d.changed.map((c) => c.id)).toEqual(['code1']);
    expect(d.changed[0].fields).toEqual(['title', 'params.src', 'exits.error']);
    const before = a.nodes[1];
    expect(d.changed[0].values).toEqual([
      { field: 'title', before: before.title ?? '', after: 'Clean' },
      { field: 'params.src', before: String(before.params.src), after: 'x' },
      { field: 'exits.error', before: before.exits.error, after: '' },
    ]);
  });

  it('shows old and new values of objects as JSON and of the process fields', () => {
    const b = sampleDefinition();
    b.title = 'Other';
    b.settings = { loop_limit: 10 };
    const d = diffDefinitions(sampleDefinition(), b);
    expect(d.processValues).toEqual([
      { field: 'title', before: sampleDefinition().title, after: 'Other' },
      { field: 'settings', before: '{"loop_limit":50}', after: '{"loop_limit":10}' },
    ]);
  });

  it('treats moves as not changed but counts them', () => {
    const b = sampleDefinition();
    b.nodes[0] = { ...b.nodes[0], x: 500 };
    const d = diffDefinitions(sampleDefinition(), b);
    expect(isEmptyDiff(d)).toBe(true);
    expect(d.moved).toBe(1);
  });

  it('sees deep param changes regardless of key order', () => {
    const b = sampleDefinition();
    const rules = structuredClone(b.nodes[2].params.rules) as { exit: string; js?: string }[];
    rules[1].js = 'data.amount > 200';
    b.nodes[2] = { ...b.nodes[2], params: { rules } };
    expect(diffDefinitions(sampleDefinition(), b).changed[0].fields).toEqual(['params.rules']);
    const c = sampleDefinition();
    c.nodes[1] = { exits: c.nodes[1].exits, params: c.nodes[1].params, y: 120, x: 0, title: 'Normalise', type: 'code', id: 'code1' };
    expect(isEmptyDiff(diffDefinitions(sampleDefinition(), c))).toBe(true);
  });

  it('reports process-level changes', () => {
    const b = sampleDefinition();
    b.title = 'Other';
    b.settings = { loop_limit: 10 };
    expect(diffDefinitions(sampleDefinition(), b).process).toEqual(['title', 'settings']);
  });
});
