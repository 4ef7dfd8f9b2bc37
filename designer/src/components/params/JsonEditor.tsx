import { useState } from 'react';

interface Props {
  value: unknown;
  onChange: (v: unknown) => void;
  rows?: number;
}

/** A JSON textarea: the value is only updated while the text parses. */
export function JsonEditor({ value, onChange, rows = 6 }: Props) {
  const [text, setText] = useState(() => toText(value));
  const [error, setError] = useState<string | null>(null);

  // Follow outside changes (undo, another node) unless the text already means the same value;
  // adjusted while rendering, as React recommends for state that follows a prop.
  const [followed, setFollowed] = useState(value);
  if (followed !== value) {
    setFollowed(value);
    if (!means(text, value)) {
      setText(toText(value));
      setError(null);
    }
  }

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

function means(text: string, value: unknown): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === JSON.stringify(value ?? null);
  } catch {
    return false; // the local text is invalid: replace it
  }
}
