import { fieldLabel } from '../model/errors';
import type { ValidationError } from '../model/types';
import { useEditor } from '../store/editor';

interface Props {
  errors: ValidationError[];
  onPick?: (nodeId: string) => void;
  title?: string;
}

/** A list of validation errors; clicking one with a node selects that node. */
export function ErrorList({ errors, onPick, title }: Props) {
  // In the editor: node titles and field labels instead of ids and paths (the path stays in the tooltip).
  const def = useEditor((s) => s.def);
  const catalog = useEditor((s) => s.catalog);
  if (!errors.length) return null;
  const nodeOf = (id: string) => def?.nodes.find((n) => n.id === id);
  return (
    <div className="error-list">
      {title && <div className="error-list-title">{title}</div>}
      <ul>
        {errors.map((e, i) => (
          <li key={i}>
            {e.node_id ? (
              <button className="link" title={e.node_id} onClick={() => onPick?.(e.node_id!)} disabled={!onPick}>
                {nodeOf(e.node_id)?.title || e.node_id}
              </button>
            ) : (
              <span className="tag">process</span>
            )}
            {e.field && (
              <span className="field" title={e.field}>
                {fieldLabel(e.field, e.node_id ? catalog[nodeOf(e.node_id)?.type ?? ''] : null, !e.node_id)}
              </span>
            )}
            <span>{e.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
