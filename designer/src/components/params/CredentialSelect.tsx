import { useEffect, useState } from 'react';
import { api } from '../../api';

// One request per page load for every connector node shown; a new credential appears after a reload of the page.
let names: Promise<{ name: string; kind: string }[]> | null = null;

/** A connector node's credential: the stored ones of its kind, by name (the value stays a plain name). */
export function CredentialSelect({ kind, value, onChange }: { kind: string; value: unknown; onChange: (v: unknown) => void }) {
  const [options, setOptions] = useState<string[] | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    names ??= api.credentialNames();
    names.then(
      (list) => setOptions(list.filter((c) => c.kind.toLowerCase() === kind.toLowerCase()).map((c) => c.name)),
      (e: Error) => {
        names = null;
        setFailed(e.message);
      },
    );
  }, [kind]);
  const current = value == null ? '' : String(value);
  if (failed) return <input value={current} onChange={(e) => onChange(e.target.value)} title={failed} />;
  return (
    <>
      <select data-testid="credential-select" value={current} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">{options && options.length === 0 ? `No ${kind} credential yet` : 'Choose…'}</option>
        {options?.map((n) => <option key={n} value={n}>{n}</option>)}
        {current && options && !options.includes(current) && <option value={current}>{current} (not stored)</option>}
      </select>
      <div className="hint">
        Stored credentials of kind <code>{kind}</code>; admins add them on the <a href="/credentials" target="_blank" rel="noreferrer">Credentials</a> page.
      </div>
    </>
  );
}
