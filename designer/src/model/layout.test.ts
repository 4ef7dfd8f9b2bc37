import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoLayout, nodeHeight, nodeWidth, placeMissing } from './layout';
import { displayExits } from './exits';
import { sampleDefinition } from './fixtures';
import type { Definition } from './types';

// The bundled process templates (processes/ at the repository's root): real processes of 5 to 31 nodes.
const processesDir = new URL('../../../processes/', import.meta.url).pathname;
function templates(dir = processesDir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return templates(path);
    return name.endsWith('.json') ? [path] : [];
  });
}
const load = (path: string): Definition => JSON.parse(readFileSync(path, 'utf8'));
const robotCall = () => load(join(processesDir, 'watch-shop', '3-robot-call.json'));

function boxes(def: Definition) {
  return def.nodes.map((n) => {
    const exits = displayExits(n, undefined).length;
    const w = nodeWidth(exits);
    return { id: n.id, x: n.x!, y: n.y!, w, h: nodeHeight(n, exits, w) };
  });
}

/** Nodes on the longest path from the start, not counting edges back to a node already on the path (loops). */
function longestPath(def: Definition): number {
  const byId = new Map(def.nodes.map((n) => [n.id, n]));
  const onPath = new Set<string>();
  const visit = (id: string): number => {
    onPath.add(id);
    let best = 0;
    for (const t of Object.values(byId.get(id)?.exits ?? {})) if (byId.has(t) && !onPath.has(t)) best = Math.max(best, visit(t));
    onPath.delete(id);
    return best + 1;
  };
  return visit(def.nodes.find((n) => n.type === 'start')!.id);
}

// ELK's first layout loads and compiles 1.5 MB of script: seconds on a busy machine.
describe('auto-layout', { timeout: 60_000 }, () => {
  it('places each node below the nodes that lead to it and spreads branches sideways', async () => {
    const def = sampleDefinition();
    def.nodes.forEach((n) => { n.x = 0; n.y = 0; });
    const out = await autoLayout(def);
    const y = Object.fromEntries(out.nodes.map((n) => [n.id, n.y!]));
    expect(y.start).toBeLessThan(y.code1);
    expect(y.code1).toBeLessThan(y.check);
    expect(y.check).toBeLessThan(y.done);
    const done = out.nodes.find((n) => n.id === 'done')!;
    const fail = out.nodes.find((n) => n.id === 'fail')!;
    expect(done.x).not.toBe(fail.x);
    expect(out.nodes.map((n) => n.id)).toEqual(def.nodes.map((n) => n.id));
  });

  it('lays out the 28-node robot call in layers: start on top, wider than one column, no taller than its longest path', async () => {
    const def = robotCall();
    expect(def.nodes).toHaveLength(28);
    const b = boxes(await autoLayout(def));
    const top = Math.min(...b.map((n) => n.y));
    expect(b.find((n) => n.id === 'start')!.y).toBe(top);
    const width = Math.max(...b.map((n) => n.x + n.w)) - Math.min(...b.map((n) => n.x));
    expect(width).toBeGreaterThan(3 * Math.max(...b.map((n) => n.w)));
    // No taller than one layer per node of the longest path (layer gap 64): 14 layers for 28 nodes.
    const height = Math.max(...b.map((n) => n.y + n.h)) - top;
    expect(height).toBeLessThanOrEqual(longestPath(def) * (Math.max(...b.map((n) => n.h)) + 64));
    expect(longestPath(def)).toBeLessThanOrEqual(def.nodes.length / 2);
  });

  it('the retry loop goes back up: the node it returns to stays above the node it comes from', async () => {
    const y = Object.fromEntries((await autoLayout(robotCall())).nodes.map((n) => [n.id, n.y!]));
    expect(y.moscow_time).toBeLessThan(y.sleep_30m);
    expect(y.moscow_time).toBeLessThan(y.sleep_2h);
    expect(y.when).toBeLessThan(y.call);
    expect(y.call).toBeLessThan(y.by_result);
  });

  it('never overlaps two nodes, in any bundled template', async () => {
    const files = templates();
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const b = boxes(await autoLayout(load(file)));
      for (let i = 0; i < b.length; i++)
        for (let j = i + 1; j < b.length; j++) {
          const [p, q] = [b[i], b[j]];
          const overlap = p.x < q.x + q.w && q.x < p.x + p.w && p.y < q.y + q.h && q.y < p.y + p.h;
          expect(overlap, `${file}: ${p.id} and ${q.id} overlap`).toBe(false);
        }
    }
  }, 180_000);

  it('uses the measured sizes when it has them', async () => {
    const def = sampleDefinition();
    const sizes = Object.fromEntries(def.nodes.map((n) => [n.id, { width: 200, height: 300 }]));
    const y = Object.fromEntries((await autoLayout(def, sizes)).nodes.map((n) => [n.id, n.y!]));
    expect(y.code1 - y.start).toBeGreaterThanOrEqual(300);
  });
});

describe('placeMissing', { timeout: 60_000 }, () => {
  it('leaves a definition whose nodes all have a position as it is', async () => {
    const def = sampleDefinition();
    def.nodes.forEach((n, i) => { n.x = i * 10; n.y = i * 20; });
    expect(await placeMissing(def)).toBe(def);
  });

  it('lays out nodes without a position instead of piling them up at 0,0', async () => {
    const def = sampleDefinition();
    def.nodes.forEach((n) => { delete n.x; delete n.y; });
    const out = await placeMissing(def);
    const spots = new Set(out.nodes.map((n) => `${n.x},${n.y}`));
    expect(spots.size).toBe(def.nodes.length);
    const y = Object.fromEntries(out.nodes.map((n) => [n.id, n.y!]));
    expect(y.start).toBeLessThan(y.done);
  });

  it('lays out nodes piled on one spot (the server answers 0 for a missing x/y)', async () => {
    const def = sampleDefinition();
    def.nodes.forEach((n) => { n.x = 0; n.y = 0; });
    const spots = new Set((await placeMissing(def)).nodes.map((n) => `${n.x},${n.y}`));
    expect(spots.size).toBe(def.nodes.length);
  });

  it('keeps the positions that exist and puts the others to their right', async () => {
    const def = sampleDefinition();
    def.nodes.forEach((n, i) => { n.x = i * 10; n.y = i * 300; });
    delete def.nodes[1].x;
    const out = await placeMissing(def);
    out.nodes.forEach((n, i) => { if (i !== 1) expect([n.x, n.y]).toEqual([i * 10, i * 300]); });
    expect(out.nodes[1].x).toBeGreaterThan(Math.max(...out.nodes.filter((_, i) => i !== 1).map((n) => n.x!)));
  });
});
