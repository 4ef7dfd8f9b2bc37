import { importMarks, markKind, noteText } from '../../model/importNotes';
import { useEditor } from '../../store/editor';

/** The notes of the Corezoid import on one node (the node panel), under the same heading as its mark. */
export function NodeImportNotes({ nodeId }: { nodeId: string }) {
  const def = useEditor((s) => s.viewing?.def ?? s.def);
  const notes = importMarks(def).byNode[nodeId];
  if (!notes?.length) return null;
  return (
    <div className="import-notes" data-testid="node-import-notes">
      <b>{markKind(notes) === 'not-convertible' ? 'Not converted by the Corezoid import' : 'Changed by the Corezoid import'}</b>
      <ul>
        {notes.map((n, i) => (
          <li key={i} className={n.not_convertible ? 'not-convertible' : undefined}>
            {n.what}{n.why ? ` — ${n.why}` : ''}
          </li>
        ))}
      </ul>
      <span className="hint">Marked until a new version is saved.</span>
    </div>
  );
}

/** Every note of the Corezoid import (the process panel): a node's note selects that node. */
export function ProcessImportNotes() {
  const def = useEditor((s) => s.viewing?.def ?? s.def);
  const select = useEditor((s) => s.select);
  const marks = importMarks(def);
  if (marks.count === 0) return null;
  const marked = Object.keys(marks.byNode);
  return (
    <div className="import-notes" data-testid="process-import-notes">
      <b>From the Corezoid import</b>: {marks.count} note{marks.count === 1 ? '' : 's'}
      {marked.length > 0 && `, ${marked.length} node${marked.length === 1 ? '' : 's'} marked on the canvas`}. Marked until a new version is saved.
      <ul>
        {marked.flatMap((id) => marks.byNode[id].map((n, i) => (
          <li key={`${id}-${i}`} className={n.not_convertible ? 'not-convertible' : undefined}>
            <button type="button" className="link" onClick={() => select([id])}>{noteText(n)}</button>
          </li>
        )))}
        {marks.process.map((n, i) => (
          <li key={`p-${i}`}>{noteText(n)}</li>
        ))}
      </ul>
    </div>
  );
}
