import type { ParamOption, ParamSchema } from '../../model/types';
import { lazy, Suspense } from 'react';
import { JsonEditor } from './JsonEditor';
import { CredentialSelect } from './CredentialSelect';
import { KeyValueEditor } from './KeyValueEditor';
import { RulesEditor } from './RulesEditor';

// CodeMirror is large: load it only when a code parameter is shown.
const CodeEditor = lazy(() => import('./CodeEditor').then((m) => ({ default: m.CodeEditor })));

interface Props {
  schema: ParamSchema;
  value: unknown;
  onChange: (v: unknown) => void;
  errors: string[];
  readOnly?: boolean;
}

/** One parameter of a node, rendered from its catalog schema. */
export function ParamField({ schema, value, onChange, errors, readOnly }: Props) {
  const label = schema.label || schema.name;
  return (
    <div className={`field${errors.length ? ' has-error' : ''}`}>
      {schema.type === 'boolean' ? (
        <label className="check">
          <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          <span className="label">{label}</span>
        </label>
      ) : (
        <span className="label">
          {label}
          {schema.required && <span className="req" title="Required">*</span>}
        </span>
      )}
      <Editor schema={schema} value={value} onChange={onChange} readOnly={readOnly} />
      {schema.help && <div className="hint">{schema.help}</div>}
      {errors.map((m, i) => (
        <div key={i} className="field-error">{m}</div>
      ))}
    </div>
  );
}

function Editor({ schema, value, onChange, readOnly }: Omit<Props, 'errors'>) {
  if (schema.credential_kind) return <CredentialSelect kind={schema.credential_kind} value={value} onChange={onChange} />;
  switch (schema.type) {
    case 'boolean':
      return null;
    case 'number':
    case 'integer':
      return (
        <input
          type="number"
          step={schema.type === 'integer' ? 1 : 'any'}
          min={schema.min ?? undefined}
          max={schema.max ?? undefined}
          value={typeof value === 'number' ? value : value == null ? '' : String(value)}
          onChange={(e) => {
            const t = e.target.value;
            if (t === '') return onChange(null);
            const n = schema.type === 'integer' ? parseInt(t, 10) : parseFloat(t);
            onChange(Number.isNaN(n) ? t : n);
          }}
        />
      );
    case 'select': {
      const opts = (schema.options ?? []).map((o) => (typeof o === 'string' ? { value: o, label: o } : (o as ParamOption)));
      return (
        <select value={value == null ? '' : String(value)} onChange={(e) => onChange(e.target.value || null)}>
          {!schema.required && <option value="">—</option>}
          {schema.required && value == null && <option value="">Choose…</option>}
          {opts.map((o) => (
            <option key={o.value} value={o.value}>{o.label ?? o.value}</option>
          ))}
        </select>
      );
    }
    case 'code':
      return (
        <Suspense fallback={<textarea className="mono" rows={8} readOnly value={typeof value === 'string' ? value : ''} />}>
          <CodeEditor value={typeof value === 'string' ? value : ''} onChange={(v) => onChange(v)} readOnly={readOnly} />
        </Suspense>
      );
    case 'key_value':
      return <KeyValueEditor value={value} onChange={onChange} />;
    case 'json':
      return <JsonEditor value={value} onChange={onChange} />;
    case 'rules':
      return <RulesEditor value={value} onChange={onChange} functions={schema.functions ?? []} casts={schema.casts ?? []} />;
    case 'template':
      return (
        <>
          <input className="mono" value={value == null ? '' : String(value)} onChange={(e) => onChange(e.target.value)} />
          <div className="hint" data-testid="template-hint">
            Use <code>{'{{path}}'}</code> to insert task data (e.g. <code>{'{{customer.phone}}'}</code>)
            {schema.functions && schema.functions.length > 0 && (
              <>
                {' '}and functions written as they are, outside <code>{'{{ }}'}</code>:{' '}
                {schema.functions.map((f, i) => (
                  <span key={f.value}>{i > 0 && ', '}<code>{f.label ?? `$.${f.value}()`}</code></span>
                ))}
              </>
            )}
            .
          </div>
        </>
      );
    default: // string and unknown types
      return <input value={value == null ? '' : typeof value === 'string' ? value : JSON.stringify(value)} onChange={(e) => onChange(e.target.value)} />;
  }
}
