import { describe, expect, it } from 'vitest';
import { carryRuleExits, displayExits, exitsOf, pruneExits, timeLimitText } from './exits';
import { indexCatalog } from './convert';
import { catalog, sampleDefinition } from './fixtures';
import type { NodeDef } from './types';

const idx = indexCatalog(catalog);

describe('exits of a node', () => {
  it('uses the catalog exits for ordinary nodes', () => {
    expect(exitsOf({ type: 'code', params: {} }, idx.code)).toEqual([
      { name: 'next', label: 'Next', required: true },
      { name: 'error', label: 'Error', required: true },
    ]);
    expect(exitsOf({ type: 'final', params: {} }, idx.final)).toEqual([]);
  });

  it('has no exits when the type is unknown', () => {
    expect(exitsOf({ type: 'mystery', params: {} }, undefined)).toEqual([]);
  });

  it('gives a condition one exit per rule, then default and error', () => {
    const check = sampleDefinition().nodes[2];
    expect(exitsOf(check, idx.condition).map((e) => e.name)).toEqual(['ok', 'vip', 'default', 'error']);
  });

  it('gives a set_state one exit per rule and no default', () => {
    const setState = { type: 'set_state', title: 'Set state', category: 'wait', kind: 'wait', parameters: [{ name: 'rules', type: 'rules', label: 'Leave when', required: false }], exits: [{ name: 'error', label: 'Error', required: false }] } as unknown as Parameters<typeof exitsOf>[1];
    const node = { type: 'set_state', params: { rules: [{ exit: 'activate' }, { exit: 'block' }] } };
    expect(exitsOf(node, setState).map((e) => e.name)).toEqual(['activate', 'block', 'error']);
    expect(exitsOf({ type: 'set_state', params: {} }, setState).map((e) => e.name)).toEqual(['error']);
  });

  it('skips blank and duplicate rule exits and tolerates bad params', () => {
    const node = { type: 'condition', params: { rules: [{ exit: 'a' }, { exit: ' ' }, { exit: 'a' }, null, { exit: 'b ' }] } };
    expect(exitsOf(node, idx.condition).map((e) => e.name)).toEqual(['a', 'b', 'default', 'error']);
    expect(exitsOf({ type: 'condition', params: { rules: 'oops' } }, idx.condition).map((e) => e.name)).toEqual(['default', 'error']);
  });

  it('adds default even when the catalog entry lacks it and no error exit', () => {
    const bare = { ...idx.condition, exits: [] };
    expect(exitsOf({ type: 'condition', params: { rules: [{ exit: 'x' }] } }, bare).map((e) => e.name)).toEqual(['x', 'default']);
  });

  it('pruneExits drops exits of deleted rules', () => {
    const check: NodeDef = { ...sampleDefinition().nodes[2] };
    check.params = { rules: [{ exit: 'ok', js: 'true' }] };
    expect(pruneExits(check, idx.condition).exits).toEqual({ ok: 'done', default: 'fail' });
    const code = sampleDefinition().nodes[1];
    expect(pruneExits(code, idx.code)).toBe(code);
  });
});

describe('renaming rule exits', () => {
  const rules = [{ exit: 'ok', js: 'a' }, { exit: 'vip', js: 'b' }];
  it('moves the connection to the new name', () => {
    expect(carryRuleExits(rules, [{ exit: 'good', js: 'a' }, rules[1]], { ok: 'done', vip: 'x', default: 'f' })).toEqual({ good: 'done', vip: 'x', default: 'f' });
  });
  it('leaves exits alone when rules were added or removed', () => {
    const exits = { ok: 'done' };
    expect(carryRuleExits(rules, [rules[0]], exits)).toBe(exits);
  });
  it('does not overwrite an existing connection or steal a name still in use', () => {
    expect(carryRuleExits(rules, [{ exit: 'vip', js: 'a' }, rules[1]], { ok: 'done', vip: 'x' })).toEqual({ ok: 'done', vip: 'x' });
    expect(carryRuleExits(rules, [{ exit: 'ok2', js: 'a' }, { exit: 'ok', js: 'b' }], { ok: 'done' })).toEqual({ ok: 'done' });
  });
});

describe('exits drawn on the canvas', () => {
  it('adds connected exits the node does not offer, marked unknown', () => {
    const node = { type: 'mystery', params: {}, exits: { out: 'a' } };
    expect(displayExits(node, undefined)).toEqual([{ name: 'out', label: 'out', required: false, unknown: true }]);
    const code = { type: 'code', params: {}, exits: { next: 'a', weird: 'b' } };
    expect(displayExits(code, idx.code).map((e) => [e.name, !!e.unknown])).toEqual([['next', false], ['error', false], ['weird', true]]);
  });
});

describe('time limits', () => {
  it('add a required timeout exit to any node and read as the canvas shows them', () => {
    const names = exitsOf({ type: 'code', params: {}, time_limit: { seconds: 30 } }, idx.code).map((e) => [e.name, e.required]);
    expect(names).toEqual([['next', true], ['error', true], ['timeout', true]]);
    expect(exitsOf({ type: 'code', params: {} }, idx.code).map((e) => e.name)).toEqual(['next', 'error']);
    expect(timeLimitText({ seconds: 7200 })).toBe('2 h');
    expect(timeLimitText({ seconds: 45 })).toBe('45 s');
    expect(timeLimitText({ until: '{{call_at}}' })).toBe('until {{call_at}}');
  });
});
