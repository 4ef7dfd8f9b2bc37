import { stepViews, type Change } from '../../model/testRun';
import type { HistoryStep } from '../../model/types';
import { formatJson, formatTime } from '../format';

/**
 * A task's steps: each node's title, how it left, the keys it changed with their old and new values,
 * and for a test task the whole data before and after the step.
 */
export function StepList({ history }: { history: HistoryStep[] }) {
  return (
    <ol className="history" data-testid="steps">
      {stepViews(history).map((h, i) => (
        <li key={i} className={`outcome-${h.outcome}${h.error ? ' failed' : ''}`} data-testid="step">
          <div className="row">
            <b title={h.nodeId}>{h.title}</b>
            <span className="tag">{h.outcome}{h.exit ? ` → ${h.exit}` : ''}</span>
            <span className="spacer" />
            <span className="muted small">{formatTime(h.at)}</span>
          </div>
          {h.changes.length > 0 && (
            <table className="changes small">
              <tbody>
                {h.changes.map((c) => (
                  <tr key={c.key} className={`change-${c.kind}`}>
                    <td><code>{c.key}</code></td>
                    <td>{describe(c)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {h.after && (
            <details className="step-data">
              <summary className="small">Data before and after</summary>
              <div className="before-after">
                <div>
                  <div className="muted small">Before</div>
                  <pre className="json" data-testid="data-before">{formatJson(h.before)}</pre>
                </div>
                <div>
                  <div className="muted small">After</div>
                  <pre className="json" data-testid="data-after">{formatJson(h.after)}</pre>
                </div>
              </div>
            </details>
          )}
          {h.error && <div className="field-error">{h.error}</div>}
        </li>
      ))}
    </ol>
  );
}

function describe(c: Change): string {
  const show = (v: unknown) => JSON.stringify(v) ?? 'null';
  if (c.kind === 'added') return `added: ${show(c.after)}`;
  if (c.kind === 'removed') return `removed (was ${show(c.before)})`;
  return `${show(c.before)} → ${show(c.after)}`;
}
