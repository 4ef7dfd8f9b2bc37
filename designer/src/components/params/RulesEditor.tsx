import type { Condition, ParamOption, Rule } from '../../model/types';

interface Props {
  value: unknown;
  onChange: (rules: Rule[]) => void;
  /** The engine's comparisons and casts, from the catalog. */
  functions: ParamOption[];
  casts: string[];
}

function newCondition(): Condition {
  return { param: '', fun: 'eq', const: '', cast: 'string' };
}

/**
 * Editor of a condition node's rules. Each rule leads to its own exit when it
 * matches: either all its conditions hold, or its JavaScript expression is true.
 * Rules are checked top to bottom; when none matches the task takes `default`.
 */
export function RulesEditor({ value, onChange, functions, casts }: Props) {
  const rules: Rule[] = Array.isArray(value) ? (value as Rule[]) : [];
  const set = (i: number, r: Rule) => onChange(rules.map((x, j) => (j === i ? r : x)));
  const move = (i: number, d: number) => {
    const j = i + d;
    if (j < 0 || j >= rules.length) return;
    const next = [...rules];
    [next[i], next[j]] = [next[j], next[i]];
    onChange(next);
  };

  return (
    <div className="rules">
      {rules.length === 0 && <div className="muted small">No rules: every task takes the <b>default</b> exit.</div>}
      {rules.map((rule, i) => {
        const isJs = typeof rule.js === 'string';
        const conditions = rule.conditions ?? [];
        return (
          <div className="rule" key={i}>
            <div className="rule-head">
              <span className="rule-no">{i + 1}</span>
              <label className="inline">
                exit
                <input
                  className="rule-exit"
                  value={rule.exit ?? ''}
                  placeholder="exit name"
                  onChange={(e) => set(i, { ...rule, exit: e.target.value.replace(/\s/g, '_') })}
                />
              </label>
              <div className="seg">
                <button className={!isJs ? 'on' : ''} onClick={() => set(i, { exit: rule.exit, conditions: conditions.length ? conditions : [newCondition()] })}>Conditions</button>
                <button className={isJs ? 'on' : ''} onClick={() => set(i, { exit: rule.exit, js: rule.js ?? '' })}>JavaScript</button>
              </div>
              <span className="spacer" />
              <button className="icon-btn" title="Move up" disabled={i === 0} onClick={() => move(i, -1)}>↑</button>
              <button className="icon-btn" title="Move down" disabled={i === rules.length - 1} onClick={() => move(i, 1)}>↓</button>
              <button className="icon-btn" title="Remove rule" onClick={() => onChange(rules.filter((_, j) => j !== i))}>✕</button>
            </div>
            {isJs ? (
              <div>
                <input
                  className="mono"
                  value={rule.js ?? ''}
                  placeholder="data.amount > 100"
                  onChange={(e) => set(i, { ...rule, js: e.target.value })}
                />
                <div className="hint">A JavaScript expression over <code>data</code>; true takes this exit.</div>
              </div>
            ) : (
              <div className="conditions">
                {conditions.map((c, k) => {
                  const setC = (nc: Condition) => set(i, { ...rule, conditions: conditions.map((x, m) => (m === k ? nc : x)) });
                  return (
                    <div className="condition" key={k}>
                      <input placeholder="param (e.g. phone)" value={c.param ?? ''} onChange={(e) => setC({ ...c, param: e.target.value })} />
                      <select value={c.fun ?? 'eq'} onChange={(e) => setC({ ...c, fun: e.target.value as Condition['fun'] })}>
                        {functions.map((f) => (
                          <option key={f.value} value={f.value}>{f.label ?? f.value}</option>
                        ))}
                      </select>
                      <input placeholder="value" value={c.const ?? ''} onChange={(e) => setC({ ...c, const: e.target.value })} />
                      <select value={c.cast ?? 'string'} title="Compare as" onChange={(e) => setC({ ...c, cast: e.target.value as Condition['cast'] })}>
                        {casts.map((x) => (
                          <option key={x} value={x}>{x}</option>
                        ))}
                      </select>
                      <button className="icon-btn" title="Remove condition" onClick={() => set(i, { ...rule, conditions: conditions.filter((_, m) => m !== k) })}>✕</button>
                    </div>
                  );
                })}
                <button className="btn small" onClick={() => set(i, { ...rule, conditions: [...conditions, newCondition()] })}>+ Condition</button>
                {conditions.length > 1 && <span className="hint"> All conditions must hold.</span>}
              </div>
            )}
          </div>
        );
      })}
      <button
        className="btn small"
        onClick={() => {
          const taken = new Set(rules.map((r) => r.exit));
          let n = rules.length + 1;
          while (taken.has(`rule${n}`)) n++;
          onChange([...rules, { exit: `rule${n}`, conditions: [newCondition()] }]);
        }}
      >
        + Rule
      </button>
    </div>
  );
}
