import { describe, expect, it } from 'vitest';
import { sumLines } from './sums';

describe('sums on a sum node', () => {
  it('lists the configured sums with their live values, 0 for one not reached yet', () => {
    const node = { type: 'sum', params: { sums: { orders: '1', revenue: '{{amount}}' } } };
    expect(sumLines(node, { revenue: '800.60', gone: '5' })).toEqual([
      { name: 'orders', value: '0' },
      { name: 'revenue', value: '800.60' },
    ]);
  });

  it('shows names without values when the live view is off, and nothing for other nodes or bad params', () => {
    expect(sumLines({ type: 'sum', params: { sums: { n: '1' } } }, null)).toEqual([{ name: 'n', value: null }]);
    expect(sumLines({ type: 'set_param', params: { sums: { n: '1' } } }, {})).toEqual([]);
    expect(sumLines({ type: 'sum', params: { sums: 'oops' } }, {})).toEqual([]);
  });
});
