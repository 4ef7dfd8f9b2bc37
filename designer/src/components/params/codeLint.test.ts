import { describe, expect, it } from 'vitest';
import { javascriptLanguage } from '@codemirror/lang-javascript';
import { lintSource } from './codeLint';

const modern = `require("libs/moment-timezone.js");
const { items = [], user: { name } = {} } = data;
let total = items.map((x) => x.price ?? 0).reduce((a, b) => a + b, 0);
class Order { constructor(id) { this.id = id; } get label() { return \`#\${this.id}\`; } }
data.city = data.address?.city ?? 'unknown';
data.label = new Order(data.id).label;
data.copy = { ...data.extra, total, name };
data.moscow = moment.tz('2026-12-03 10:00', 'UTC').tz('Europe/Moscow').format('YYYY-MM-DD HH:mm');
for (const [k, v] of Object.entries(data.extra || {})) { data[k] = v; }
data.big = 10n ** 3n;
`;

describe('code editor lint', () => {
  it('does not flag modern JavaScript', () => {
    expect(lintSource(modern)).toEqual([]);
  });

  it('reads modern syntax as the constructs it is, so they are highlighted as such', () => {
    const names = new Set<string>();
    javascriptLanguage.parser.parse(modern).iterate({ enter: (n) => { names.add(n.type.name); } });
    for (const construct of ['ArrowFunction', 'TemplateString', 'ClassDeclaration', 'ObjectPattern', 'ArrayPattern', 'Spread', 'VariableDeclaration'])
      expect(names, construct).toContain(construct);
  });

  it('flags what does not parse, where it is', () => {
    const source = 'const total = ;\ndata.x = 1;';
    const problems = lintSource(source);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0].from).toBeLessThanOrEqual(source.indexOf(';'));
    expect(problems[0].severity).toBe('error');
    expect(lintSource('let x = (a, b => a;')).not.toEqual([]);
  });
});
