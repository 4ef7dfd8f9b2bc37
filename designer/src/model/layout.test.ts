import { describe, expect, it } from 'vitest';
import { autoLayout, placeMissing } from './layout';
import { sampleDefinition } from './fixtures';

describe('auto-layout', () => {
  it('places each node below the nodes that lead to it', () => {
    const def = sampleDefinition();
    def.nodes.forEach((n) => { n.x = 0; n.y = 0; });
    const out = autoLayout(def);
    const y = Object.fromEntries(out.nodes.map((n) => [n.id, n.y!]));
    expect(y.start).toBeLessThan(y.code1);
    expect(y.code1).toBeLessThan(y.check);
    expect(y.check).toBeLessThan(y.done);
    const done = out.nodes.find((n) => n.id === 'done')!;
    const fail = out.nodes.find((n) => n.id === 'fail')!;
    expect(done.x).not.toBe(fail.x);
    expect(out.nodes.map((n) => n.id)).toEqual(def.nodes.map((n) => n.id));
  });
});

describe('placeMissing', () => {
  it('leaves a definition whose nodes all have a position as it is', () => {
    const def = sampleDefinition();
    def.nodes.forEach((n, i) => { n.x = i * 10; n.y = i * 20; });
    expect(placeMissing(def)).toBe(def);
  });

  it('lays out nodes without a position instead of piling them up at 0,0', () => {
    const def = sampleDefinition();
    def.nodes.forEach((n) => { delete n.x; delete n.y; });
    const out = placeMissing(def);
    const spots = new Set(out.nodes.map((n) => `${n.x},${n.y}`));
    expect(spots.size).toBe(def.nodes.length);
    const y = Object.fromEntries(out.nodes.map((n) => [n.id, n.y!]));
    expect(y.start).toBeLessThan(y.done);
  });

  it('lays out nodes piled on one spot (the server answers 0 for a missing x/y)', () => {
    const def = sampleDefinition();
    def.nodes.forEach((n) => { n.x = 0; n.y = 0; });
    const spots = new Set(placeMissing(def).nodes.map((n) => `${n.x},${n.y}`));
    expect(spots.size).toBe(def.nodes.length);
  });

  it('keeps the positions that exist and puts the others to their right', () => {
    const def = sampleDefinition();
    def.nodes.forEach((n, i) => { n.x = i * 10; n.y = i * 300; });
    delete def.nodes[1].x;
    const out = placeMissing(def);
    out.nodes.forEach((n, i) => { if (i !== 1) expect([n.x, n.y]).toEqual([i * 10, i * 300]); });
    expect(out.nodes[1].x).toBeGreaterThan(Math.max(...out.nodes.filter((_, i) => i !== 1).map((n) => n.x!)));
  });
});
