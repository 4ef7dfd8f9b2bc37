import { describe, expect, it } from 'vitest';
import { copyNodes, isClip, pasteNodes } from './clipboard';
import { sampleDefinition } from './fixtures';
import { uniqueId } from './ids';

describe('copy / paste', () => {
  it('pastes with new ids, keeping inner links and dropping outer ones', () => {
    const def = sampleDefinition();
    const clip = copyNodes(def, ['code1', 'check', 'fail']);
    const { def: out, ids } = pasteNodes(def, clip);
    expect(ids).toEqual(['code2', 'check1', 'fail1']);
    const code2 = out.nodes.find((n) => n.id === 'code2')!;
    expect(code2.exits).toEqual({ next: 'check1', error: 'fail1' });
    const check1 = out.nodes.find((n) => n.id === 'check1')!;
    expect(check1.exits).toEqual({ default: 'fail1' }); // ok/vip pointed at "done", not copied
    expect(check1).toMatchObject({ x: 40, y: 280 });
    expect(out.nodes).toHaveLength(8);
  });

  it('does not alias params between original and copy', () => {
    const def = sampleDefinition();
    const { def: out } = pasteNodes(def, copyNodes(def, ['check']));
    (out.nodes[5].params.rules as { exit: string }[])[0].exit = 'changed';
    expect((def.nodes[2].params.rules as { exit: string }[])[0].exit).toBe('ok');
  });

  it('skips a start node when the process already has one', () => {
    const def = sampleDefinition();
    const { ids } = pasteNodes(def, copyNodes(def, ['start', 'code1']));
    expect(ids).toEqual(['code2']);
    const empty = { ...def, nodes: [] };
    expect(pasteNodes(empty, copyNodes(def, ['start'])).ids).toEqual(['start1']);
  });

  it('pasting twice gives distinct ids', () => {
    const def = sampleDefinition();
    const clip = copyNodes(def, ['code1']);
    const once = pasteNodes(def, clip).def;
    expect(pasteNodes(once, clip).ids).toEqual(['code3']);
  });

  it('recognises clipboard payloads', () => {
    expect(isClip(copyNodes(sampleDefinition(), []))).toBe(true);
    expect(isClip({ nodes: [] })).toBe(false);
  });

  it('uniqueId strips trailing digits and odd characters', () => {
    expect(uniqueId('api', [])).toBe('api1');
    expect(uniqueId('api1', ['api1'])).toBe('api2');
    expect(uniqueId('my node', [])).toBe('my_node1');
  });
});
