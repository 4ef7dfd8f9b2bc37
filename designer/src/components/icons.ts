// Small glyphs for node types and categories (no icon font needed).
const ICONS: Record<string, string> = {
  start: '▶',
  final: '■',
  code: '{ }',
  condition: '◇',
  set_param: '≔',
  api: '⇄',
  delay: '◷',
  wait_callback: '✉',
  copy_task: '❐',
  call_process: '↪',
  reply: '↩',
  sum: 'Σ',
  queue: '☰',
  'queue-get': '⇥',
  state: '◉',
  connector: '⚡',
};

export function iconFor(icon: string | undefined, type: string): string {
  return (icon && ICONS[icon]) || ICONS[type] || '●';
}

export const CATEGORY_LABELS: Record<string, string> = {
  flow: 'Flow',
  logic: 'Logic',
  integration: 'Integration',
  wait: 'Waiting',
  process: 'Processes',
  connectors: 'Connectors',
};

export const CATEGORY_ORDER = ['flow', 'logic', 'integration', 'wait', 'process', 'connectors'];
