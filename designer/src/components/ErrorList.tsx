import type { ValidationError } from '../model/types';

interface Props {
  errors: ValidationError[];
  onPick?: (nodeId: string) => void;
  title?: string;
}

/** A list of validation errors; clicking one with a node selects that node. */
export function ErrorList({ errors, onPick, title }: Props) {
  if (!errors.length) return null;
  return (
    <div className="error-list">
      {title && <div className="error-list-title">{title}</div>}
      <ul>
        {errors.map((e, i) => (
          <li key={i}>
            {e.node_id ? (
              <button className="link" onClick={() => onPick?.(e.node_id!)} disabled={!onPick}>
                {e.node_id}
              </button>
            ) : (
              <span className="tag">process</span>
            )}
            {e.field && <code className="field">{e.field}</code>}
            <span>{e.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
