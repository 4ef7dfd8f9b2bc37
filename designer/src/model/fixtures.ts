import type { CatalogEntry, Definition } from './types';

/** Sample data shared by the model tests (mirrors the server contract examples). */
export const catalog: CatalogEntry[] = [
  { type: 'start', title: 'Start', category: 'flow', kind: 'instant', parameters: [], exits: [{ name: 'next', label: 'Next', required: true }] },
  {
    type: 'code', title: 'Code', category: 'logic', kind: 'instant', error_kind: 'code',
    parameters: [{ name: 'src', type: 'code', label: 'JavaScript', required: true, default: null, options: null, help: '' }],
    exits: [{ name: 'next', label: 'Next', required: true }, { name: 'error', label: 'Error', required: true }],
  },
  {
    type: 'condition', title: 'Condition', category: 'logic', kind: 'instant',
    parameters: [{ name: 'rules', type: 'rules', label: 'Rules', required: true, default: [] }],
    exits: [{ name: 'default', label: 'Default', required: true }, { name: 'error', label: 'Error', required: false }],
  },
  {
    type: 'final', title: 'Final', category: 'flow', kind: 'final',
    parameters: [{ name: 'result', type: 'select', label: 'Result', default: 'success', options: ['success', 'error'] }],
    exits: [],
  },
];

export function sampleDefinition(): Definition {
  return {
    conv_id: 1001,
    title: 'Normalise phone',
    description: 'demo',
    alias: 'phone',
    settings: { loop_limit: 50 },
    nodes: [
      { id: 'start', type: 'start', title: 'Start', x: 0, y: 0, params: {}, exits: { next: 'code1' } },
      { id: 'code1', type: 'code', title: 'Normalise', x: 0, y: 120, params: { src: "data.phone = String(data.phone).replace(/^8/, '7');" }, exits: { next: 'check', error: 'fail' } },
      {
        id: 'check', type: 'condition', x: 0, y: 240,
        params: { rules: [
          { exit: 'ok', conditions: [{ param: 'phone', fun: 'regexp', const: '^7\\d{10}$', cast: 'string' }] },
          { exit: 'vip', js: 'data.amount > 100' },
        ] },
        exits: { ok: 'done', vip: 'done', default: 'fail' },
      },
      { id: 'done', type: 'final', x: 0, y: 360, params: { result: 'success' }, exits: {} },
      { id: 'fail', type: 'final', x: 200, y: 360, params: { result: 'error' }, exits: {} },
    ],
  };
}
