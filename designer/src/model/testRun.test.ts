import { describe, expect, it } from 'vitest';
import { indexCatalog } from './convert';
import { catalog } from './fixtures';
import { changesOf, emptyDraft, pinnableNodes, revert, stepViews, testRunRequest, testTaskState, toggle } from './testRun';
import type { Definition, HistoryStep } from './types';

const step = (s: Partial<HistoryStep> & Pick<HistoryStep, 'node_id'>): HistoryStep =>
  ({ at: '', title: null, outcome: 'go', exit: 'next', set: null, unset: null, before: null, data: null, error: null, ...s });

const withApi = indexCatalog([
  ...catalog,
  { type: 'api', title: 'API call', category: 'integration', kind: 'effect', parameters: [], exits: [] },
  { type: 'telegram_send', title: 'Telegram: send', category: 'connectors', kind: 'effect', parameters: [], exits: [] },
  { type: 'copy_task', title: 'Copy task', category: 'processes', kind: 'effect', parameters: [], exits: [] },
]);

const def: Definition = {
  title: 'lead',
  nodes: [
    { id: 'start', type: 'start', params: {}, exits: { next: 'call' } },
    { id: 'call', type: 'api', title: 'Ask the CRM', params: {}, exits: { next: 'tell' } },
    { id: 'tell', type: 'telegram_send', params: {}, exits: { next: 'copy' } },
    { id: 'copy', type: 'copy_task', params: {}, exits: {} },
  ],
};

describe('test run draft', () => {
  it('toggles breakpoints', () => {
    expect(toggle([], 'call')).toEqual(['call']);
    expect(toggle(['call', 'tell'], 'call')).toEqual(['tell']);
  });

  it('offers pinned answers for API calls and connectors only', () => {
    expect(pinnableNodes(def, withApi)).toEqual([
      { id: 'call', title: 'Ask the CRM' },
      { id: 'tell', title: 'Telegram: send' },
    ]);
  });

  it('builds the request with the pins that are on', () => {
    const draft = {
      ...emptyDraft(),
      input: '{"phone": "+100"}',
      breakpoints: ['tell', 'gone'],
      answers: { call: { on: true, status: '201', body: '{"lead_id": 7}' }, tell: { on: false, status: '200', body: 'not json' } },
    };
    expect(testRunRequest(draft, def.nodes)).toEqual({
      request: { data: { phone: '+100' }, test: { debug: true, breakpoints: ['tell'], answers: { call: { status: 201, body: { lead_id: 7 } } } } },
    });
  });

  it('says what is wrong in a sentence', () => {
    const bad = (patch: Partial<ReturnType<typeof emptyDraft>>) => testRunRequest({ ...emptyDraft(), ...patch }, def.nodes);
    expect(bad({ input: '{"phone": ' })).toMatchObject({ error: expect.stringContaining('The input data is not JSON') });
    expect(bad({ input: '[1]' })).toEqual({ error: 'The input data must be a JSON object, like {"phone": "+100"}' });
    expect(bad({ answers: { call: { on: true, status: '99', body: '{}' } } })).toEqual({ error: 'The answer pinned for “Ask the CRM” needs an HTTP status from 100 to 599' });
    expect(bad({ answers: { call: { on: true, status: '200', body: '{x' } } })).toMatchObject({ error: expect.stringContaining('“Ask the CRM” is not JSON') });
  });
});

describe('each step before and after', () => {
  const changed = step({ node_id: 'set', set: { stage: 'two', added: 1 }, unset: ['gone'], before: { stage: 'one', gone: true } });

  it('lists what a step changed with old and new values', () => {
    expect(changesOf(changed)).toEqual([
      { key: 'stage', kind: 'changed', before: 'one', after: 'two' },
      { key: 'added', kind: 'added', after: 1 },
      { key: 'gone', kind: 'removed', before: true },
    ]);
  });

  it('takes a step back from the data after it', () => {
    expect(revert({ stage: 'two', added: 1, keep: 'k' }, changed)).toEqual({ stage: 'one', gone: true, keep: 'k' });
  });

  it('shows a test task whole data before and after each step, and only the difference for other tasks', () => {
    const test = stepViews([
      step({ node_id: 'start', title: 'Start', data: { phone: '+1' } }),
      step({ node_id: 'call', title: 'Ask the CRM', set: { lead: 7 }, data: { phone: '+1', lead: 7 } }),
    ]);
    expect(test.map((s) => [s.title, s.before, s.after])).toEqual([
      ['Start', { phone: '+1' }, { phone: '+1' }],
      ['Ask the CRM', { phone: '+1' }, { phone: '+1', lead: 7 }],
    ]);
    const ordinary = stepViews([changed]);
    expect(ordinary[0]).toMatchObject({ title: 'set', before: null, after: null });
    expect(ordinary[0].changes).toHaveLength(3);
  });

  it('says where a test task is', () => {
    const title = (id: string) => ({ call: 'Ask the CRM' })[id] ?? id;
    expect(testTaskState({ status: 'waiting', wait: 'debug', result: null, node_id: 'call' }, title)).toBe('Stopped before “Ask the CRM”');
    expect(testTaskState({ status: 'finished', wait: null, result: 'success', node_id: 'done' }, title)).toBe('Finished: success, in “done”');
  });
});
