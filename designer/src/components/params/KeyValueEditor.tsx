import { useState } from 'react';

interface Row {
  key: string;
  value: string;
}

interface Props {
  value: unknown;
  onChange: (v: Record<string, string>) => void;
  keyPlaceholder?: string;
  valuePlaceholder?: string;
}

/** Editable key/value rows stored as a JSON object. Values are kept as text (templates allowed). */
export function KeyValueEditor({ value, onChange, keyPlaceholder = 'name', valuePlaceholder = 'value or {{path}}' }: Props) {
  const [rows, setRows] = useState<Row[]>(() => toRows(value));

  // Follow outside changes (undo, another node) unless the rows already hold the same object.
  const [followed, setFollowed] = useState(value);
  if (followed !== value) {
    setFollowed(value);
    if (JSON.stringify(toObject(rows)) !== JSON.stringify(value ?? {})) setRows(toRows(value));
  }

  const update = (next: Row[]) => {
    setRows(next);
    onChange(toObject(next));
  };

  return (
    <div className="kv">
      {rows.map((r, i) => (
        <div className="kv-row" key={i}>
          <input placeholder={keyPlaceholder} value={r.key} onChange={(e) => update(rows.map((x, j) => (j === i ? { ...x, key: e.target.value } : x)))} />
          <input placeholder={valuePlaceholder} value={r.value} onChange={(e) => update(rows.map((x, j) => (j === i ? { ...x, value: e.target.value } : x)))} />
          <button className="icon-btn" title="Remove" onClick={() => update(rows.filter((_, j) => j !== i))}>✕</button>
        </div>
      ))}
      <button className="btn small" onClick={() => setRows([...rows, { key: '', value: '' }])}>+ Add row</button>
    </div>
  );
}

function toRows(v: unknown): Row[] {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return [];
  return Object.entries(v as Record<string, unknown>).map(([key, val]) => ({
    key,
    value: typeof val === 'string' ? val : JSON.stringify(val),
  }));
}

function toObject(rows: Row[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rows) if (r.key.trim()) out[r.key.trim()] = r.value;
  return out;
}
