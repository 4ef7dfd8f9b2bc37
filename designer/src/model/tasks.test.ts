import { describe, expect, it } from 'vitest';
import { parseWakeData, splitTaskData, taskListSignal } from './tasks';
import type { Counters } from './types';

const counters = (nodes: Counters['nodes']): Counters => ({ conv_id: 1, nodes, sums: {} });

describe('taskListSignal', () => {
  it('changes when a task leaves a node and another enters it (now stays the same)', () => {
    const before = counters({ wait: { now: 1, entered: 1, left: 0 } });
    const after = counters({ wait: { now: 1, entered: 2, left: 1 } });
    expect(taskListSignal(before, 'wait')).not.toBe(taskListSignal(after, 'wait'));
  });
  it('sums every node when none is selected, and ignores other nodes when one is', () => {
    const a = counters({ x: { now: 1, entered: 1, left: 0 }, y: { now: 0, entered: 0, left: 0 } });
    const b = counters({ x: { now: 1, entered: 1, left: 0 }, y: { now: 1, entered: 1, left: 0 } });
    expect(taskListSignal(a, 'x')).toBe(taskListSignal(b, 'x'));
    expect(taskListSignal(a, null)).toBe('1/1/0');
    expect(taskListSignal(b, null)).toBe('2/2/0');
  });
  it('is empty without counters and for an unknown node', () => {
    expect(taskListSignal(null, 'x')).toBe('');
    expect(taskListSignal(counters({}), 'x')).toBe('0/0/0');
  });
});

describe('splitTaskData', () => {
  it('groups the engine\'s error fields by kind, apart from the data', () => {
    const split = splitTaskData({
      order: 7,
      __conveyor_api_return_type_error__: 'hardware',
      __conveyor_api_return_type_tag__: 'http_503',
      __conveyor_api_return_description__: 'HTTP 503: busy',
      __conveyor_copy_task_result__: 'abc',
    });
    expect(split.data).toEqual({ order: 7 });
    expect(split.errors).toEqual([{ kind: 'api', type: 'hardware', tag: 'http_503', description: 'HTTP 503: busy' }]);
    expect(split.other).toEqual({ __conveyor_copy_task_result__: 'abc' });
  });
  it('reads a connector kind with an underscore', () => {
    const split = splitTaskData({ __conveyor_my_crm_return_type_tag__: 'auth_failed' });
    expect(split.errors).toEqual([{ kind: 'my_crm', tag: 'auth_failed' }]);
  });
});

describe('parseWakeData', () => {
  it('takes an object, or nothing as an empty object', () => {
    expect(parseWakeData('{"paid": true}')).toEqual({ data: { paid: true } });
    expect(parseWakeData('  ')).toEqual({ data: {} });
  });
  it('says what is wrong with anything else', () => {
    expect(parseWakeData('[1]')).toEqual({ error: 'The data must be a JSON object, like {"paid": true}.' });
    expect('error' in parseWakeData('{paid')).toBe(true);
  });
});
