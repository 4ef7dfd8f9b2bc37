import { describe, expect, it } from 'vitest';
import {
  canonical, connect, copyOfProcess, defaultParams, disconnect, fromFlow, indexCatalog, moveNodes, removeNodes, renameNode,
  toFlowEdges, toFlowNodes,
} from './convert';
import { catalog, sampleDefinition } from './fixtures';

const idx = indexCatalog(catalog);

describe('definition <-> flow conversion', () => {
  it('round-trips a definition through nodes and edges', () => {
    const def = sampleDefinition();
    const back = fromFlow(def, toFlowNodes(def, idx), toFlowEdges(def));
    expect(canonical(back)).toBe(canonical(def));
  });

  it('makes one edge per exit, with the exit as source handle and label', () => {
    const edges = toFlowEdges(sampleDefinition());
    expect(edges).toHaveLength(6);
    const ok = edges.find((e) => e.id === 'check::ok')!;
    expect(ok).toMatchObject({ source: 'check', target: 'done', sourceHandle: 'ok', label: 'ok' });
  });

  it('skips exits that point at missing nodes', () => {
    const def = sampleDefinition();
    def.nodes[0].exits.next = 'ghost';
    expect(toFlowEdges(def).some((e) => e.source === 'start')).toBe(false);
  });

  it('attaches catalog exits to nodes, with rule exits for conditions', () => {
    const nodes = toFlowNodes(sampleDefinition(), idx);
    expect(nodes.find((n) => n.id === 'code1')!.data.exits.map((e) => e.name)).toEqual(['next', 'error']);
    expect(nodes.find((n) => n.id === 'check')!.data.exits.map((e) => e.name)).toEqual(['ok', 'vip', 'default', 'error']);
    expect(nodes.find((n) => n.id === 'code1')!.position).toEqual({ x: 0, y: 120 });
  });

  it('takes positions from moved flow nodes (rounded)', () => {
    const def = sampleDefinition();
    const nodes = toFlowNodes(def, idx);
    nodes[1] = { ...nodes[1], position: { x: 10.6, y: 20.2 } };
    const back = fromFlow(def, nodes, toFlowEdges(def));
    expect(back.nodes[1]).toMatchObject({ x: 11, y: 20 });
  });
});

describe('editing operations', () => {
  it('connect sets exits[exit] = target, replacing an old target', () => {
    const def = connect(sampleDefinition(), 'code1', 'error', 'done');
    expect(def.nodes[1].exits).toEqual({ next: 'check', error: 'done' });
  });

  it('disconnect removes one exit', () => {
    const def = disconnect(sampleDefinition(), 'check', 'vip');
    expect(def.nodes[2].exits).toEqual({ ok: 'done', default: 'fail' });
  });

  it('removeNodes removes nodes and exits pointing at them', () => {
    const def = removeNodes(sampleDefinition(), ['fail']);
    expect(def.nodes.map((n) => n.id)).toEqual(['start', 'code1', 'check', 'done']);
    expect(def.nodes[1].exits).toEqual({ next: 'check' });
    expect(def.nodes[2].exits).toEqual({ ok: 'done', vip: 'done' });
  });

  it('renameNode updates references and refuses duplicates', () => {
    const def = renameNode(sampleDefinition(), 'fail', 'failed')!;
    expect(def.nodes[4].id).toBe('failed');
    expect(def.nodes[1].exits.error).toBe('failed');
    expect(def.nodes[2].exits.default).toBe('failed');
    expect(renameNode(sampleDefinition(), 'fail', 'done')).toBeNull();
    expect(renameNode(sampleDefinition(), 'fail', '  ')).toBeNull();
  });

  it('moveNodes rounds positions and leaves others alone', () => {
    const def = moveNodes(sampleDefinition(), { done: { x: 5.4, y: 7.5 } });
    expect(def.nodes[3]).toMatchObject({ x: 5, y: 8 });
    expect(def.nodes[4]).toMatchObject({ x: 200, y: 360 });
  });

  it('defaultParams copies non-null catalog defaults', () => {
    expect(defaultParams(idx.final)).toEqual({ result: 'success' });
    expect(defaultParams(idx.code)).toEqual({});
    const a = defaultParams(idx.condition);
    (a.rules as unknown[]).push(1);
    expect(idx.condition.parameters[0].default).toEqual([]);
  });

  it('canonical ignores key order and undefined values', () => {
    expect(canonical({ b: 1, a: { d: undefined, c: 2 } })).toBe(canonical({ a: { c: 2 }, b: 1 }));
  });
});

describe('copyOfProcess', () => {
  it('keeps the nodes and drops the number, alias and import notes', () => {
    const def = { ...sampleDefinition(), import_notes: [{ node_id: 'start', node_title: null, what: 'w', why: 'y', not_convertible: false }] };
    const copy = copyOfProcess(def);
    expect(copy.title).toBe('Normalise phone (copy)');
    expect(copy.conv_id).toBeUndefined();
    expect(copy.import_notes).toBeUndefined();
    expect(copy.alias).toBeNull();
    expect(copy.nodes).toEqual(def.nodes);
    copy.nodes[0].title = 'changed';
    expect(def.nodes[0].title).toBe('Start');
  });
});
