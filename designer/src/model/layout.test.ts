import { describe, expect, it } from 'vitest';
import { autoLayout } from './layout';
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
