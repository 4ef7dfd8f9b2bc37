import { describe, expect, it } from 'vitest';
import { pathEdgesInDefinition, pathFromHistory } from './path';
import { sampleDefinition } from './fixtures';
import type { HistoryStep } from './types';

/** A history step as the server writes it: every field present, null when empty. */
const step = (s: Partial<HistoryStep> & Pick<HistoryStep, 'node_id' | 'outcome'>): HistoryStep =>
  ({ at: '', title: null, exit: null, set: null, unset: null, before: null, data: null, error: null, ...s });

const history: HistoryStep[] = [
  step({ node_id: 'start', at: '2025-01-01T00:00:00Z', outcome: 'go', exit: 'next' }),
  step({ node_id: 'code1', at: '2025-01-01T00:00:01Z', outcome: 'go', exit: 'next', set: { phone: '7916' } }),
  step({ node_id: 'check', at: '2025-01-01T00:00:02Z', outcome: 'go', exit: 'ok' }),
  step({ node_id: 'done', at: '2025-01-01T00:00:03Z', outcome: 'finish', exit: null }),
];

describe('path highlighting', () => {
  it('collects visited nodes and taken edges', () => {
    const p = pathFromHistory(history);
    expect([...p.nodes]).toEqual(['start', 'code1', 'check', 'done']);
    expect([...p.edges]).toEqual(['start::next', 'code1::next', 'check::ok']);
    expect(p.current).toBe('done');
  });

  it('does not add an edge for the last step and includes the current node', () => {
    const p = pathFromHistory(history.slice(0, 2), 'check');
    expect([...p.edges]).toEqual(['start::next']);
    expect(p.nodes.has('check')).toBe(true);
    expect(p.current).toBe('check');
  });

  it('handles an empty history', () => {
    const p = pathFromHistory([]);
    expect(p.nodes.size).toBe(0);
    expect(p.current).toBeNull();
  });

  it('checks edges against the definition and falls back to any exit to the next node', () => {
    const def = sampleDefinition();
    const exits = (id: string) => def.nodes.find((n) => n.id === id)?.exits;
    const h: HistoryStep[] = [
      step({ node_id: 'check', at: '', outcome: 'go', exit: 'renamed' }),
      step({ node_id: 'fail', at: '', outcome: 'finish' }),
    ];
    expect([...pathEdgesInDefinition(h, exits)]).toEqual(['check::default']);
    expect([...pathEdgesInDefinition(history, exits)]).toEqual(['start::next', 'code1::next', 'check::ok']);
  });
});
