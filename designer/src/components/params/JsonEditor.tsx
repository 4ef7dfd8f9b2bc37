import { useEffect, useState } from 'react';

interface Props {
  value: unknown;
  onChange: (v: unknown) => void;
  rows?: number;
}

/** A JSON textarea: the value is only updated while the text parses. */
export function JsonEditor({ value, onChange, rows = 6 }: Props) {
  const [text, setText] = useState(() => toText(value));
  const [error, setError] = useState<string | null>(null);

  // Follow outside changes (undo, another node) unless the text already means the same value.
  useEffect(() => {
    setText((t) => {
      try {
        if (JSON.stringify(JSON.parse(t)) === JSON.stringify(value ?? null)) return t;
      } catch {
        /* the local text is invalid: replace it */
      }
      setError(null);
      return toText(value);
    });
  }, [value]);

  return (
    <div>
      <textarea
        className={`mono${error ? ' invalid' : ''}`}
        rows={rows}
        value={text}
        spellCheck={false}
        onChange={(e) => {
          setText(e.target.value);
          if (!e.target.value.trim()) {
            setError(null);
            onChange(null);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setError(null);
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      />
      {error && <div className="field-error">Not valid JSON: {error}</div>}
    </div>
  );
}

function toText(v: unknown): string {
  return v === undefined || v === null ? '' : JSON.stringify(v, null, 2);
}
