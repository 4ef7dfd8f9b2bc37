import { useState } from 'react';
import { api } from '../../api';
import { useEditor } from '../../store/editor';
import { ErrorList } from '../ErrorList';
import { ProcessImportNotes } from './ImportNotes';
import type { ProcessParam } from '../../model/types';

const PARAM_TYPES: ProcessParam['type'][] = ['string', 'number', 'boolean', 'object', 'array'];

/** The process's parameters (Corezoid's params): a required input missing from a new task refuses it. */
function ParamsEditor({ params, errors, onChange }: { params: ProcessParam[]; errors: string[]; onChange: (p: ProcessParam[]) => void }) {
  const edit = (i: number, patch: Partial<ProcessParam>) => onChange(params.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  return (
    <div className={`field params-editor${errors.length ? ' has-error' : ''}`} data-testid="process-params">
      <span className="label">Parameters</span>
      {params.map((p, i) => (
        <div key={i} className="param-row">
          <input className="mono" placeholder="name" aria-label="parameter name" value={p.name} onChange={(e) => edit(i, { name: e.target.value })} />
          <select aria-label="parameter type" value={p.type} onChange={(e) => edit(i, { type: e.target.value as ProcessParam['type'] })}>
            {PARAM_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
          </select>
          <label className="small"><input type="checkbox" checked={!!p.input} onChange={(e) => edit(i, { input: e.target.checked })} /> input</label>
          <label className="small"><input type="checkbox" checked={!!p.required} onChange={(e) => edit(i, { required: e.target.checked })} /> required</label>
          <label className="small"><input type="checkbox" checked={!!p.output} onChange={(e) => edit(i, { output: e.target.checked })} /> output</label>
          <input placeholder="description" aria-label="parameter description" value={p.description ?? ''} onChange={(e) => edit(i, { description: e.target.value || null })} />
          <button type="button" className="btn small danger-ghost" onClick={() => onChange(params.filter((_, j) => j !== i))}>Remove</button>
        </div>
      ))}
      <button type="button" className="btn small" onClick={() => onChange([...params, { name: '', type: 'string', input: true }])}>Add parameter</button>
      <span className="hint">A required input missing from a new task's data refuses the task.</span>
      {errors.map((m, i) => (
        <span key={i} className="field-error">{m}</span>
      ))}
    </div>
  );
}

/** Process-level settings, shown when no node is selected. */
export function ProcessPanel() {
  const def = useEditor((s) => s.viewing?.def ?? s.def);
  const summary = useEditor((s) => s.summary);
  const readOnly = useEditor((s) => !!s.viewing);
  const errors = useEditor((s) => s.errors);
  const change = useEditor((s) => s.change);
  const setSummary = useEditor((s) => s.setSummary);
  const [statusError, setStatusError] = useState<string | null>(null);
  if (!def) return null;
  const toggleStatus = async () => {
    if (!summary) return;
    try {
      setStatusError(null);
      setSummary({ ...summary, ...(summary.status === 'paused' ? await api.resume(summary.conv_id) : await api.pause(summary.conv_id)) });
    } catch (e) {
      setStatusError((e as Error).message);
    }
  };
  const set = (field: 'title' | 'description' | 'alias', v: string) =>
    change((d) => ({ ...d, [field]: field === 'title' ? v : v || null }), `process:${field}`);
  const loopLimit = (def.settings?.loop_limit as number | undefined) ?? '';
  const procErr = (f: string) => errors.process.filter((e) => e.field === f || e.field?.startsWith(`${f}.`)).map((e) => e.message);

  return (
    <fieldset className="panel-form" disabled={readOnly}>
      <h4 className="section first">Process</h4>
      {summary && (
        <div className="kv-static">
          <span>Number (conv_id)</span><b>{summary.conv_id}</b>
          <span>Status</span>
          <b>
            <span className={`status ${summary.status}`}>{summary.status}</span>{' '}
            <button type="button" className="btn small" onClick={toggleStatus}>{summary.status === 'paused' ? 'Resume' : 'Pause'}</button>
          </b>
          <span>Version</span><b>v{summary.version}</b>
          <span>Tasks</span><b>{summary.tasks}</b>
        </div>
      )}
      {summary?.broken && (
        <div className="alert error broken-reason">
          This process is broken and runs nothing until it is saved again; its tasks wait where they are. {summary.broken}
        </div>
      )}
      {statusError && <div className="alert error">{statusError}</div>}
      <ProcessImportNotes />
      <Field label="Title" errors={procErr('title')}>
        <input value={def.title ?? ''} onChange={(e) => set('title', e.target.value)} />
      </Field>
      <Field label="Description" errors={procErr('description')}>
        <textarea rows={3} value={def.description ?? ''} onChange={(e) => set('description', e.target.value)} />
      </Field>
      <Field label="Alias" errors={procErr('alias')} hint="A short name other processes can use instead of the number.">
        <input className="mono" value={def.alias ?? ''} onChange={(e) => set('alias', e.target.value)} />
      </Field>
      <Field label="Kind" errors={procErr('kind')} hint="A state diagram keeps long-lived tasks by ref in its Set state nodes; other processes read them as {{conv[ID].ref[REF].field}}.">
        <select value={def.kind ?? 'process'} onChange={(e) => change((d) => ({ ...d, kind: e.target.value === 'state' ? 'state' : null }), 'process:kind')}>
          <option value="process">Process</option>
          <option value="state">State diagram</option>
        </select>
      </Field>
      <Field label="Loop limit" errors={procErr('settings')} hint="How many times one task may pass through the same node.">
        <input
          type="number"
          min={1}
          value={loopLimit}
          onChange={(e) =>
            change((d) => {
              const settings = { ...(d.settings ?? {}) };
              if (e.target.value === '') delete settings.loop_limit;
              else settings.loop_limit = parseInt(e.target.value, 10);
              return { ...d, settings };
            }, 'process:settings.loop_limit')
          }
        />
      </Field>
      <ParamsEditor params={def.params ?? []} errors={procErr('params')} onChange={(params) => change((d) => ({ ...d, params: params.length ? params : null }), 'process:params')} />
      <ErrorList title="Process errors" errors={errors.process} />
      <p className="hint">Select a node on the canvas to edit its properties.</p>
    </fieldset>
  );
}

function Field({ label, errors, hint, children }: { label: string; errors: string[]; hint?: string; children: React.ReactNode }) {
  return (
    <label className={`field${errors.length ? ' has-error' : ''}`}>
      <span className="label">{label}</span>
      {children}
      {hint && <span className="hint">{hint}</span>}
      {errors.map((m, i) => (
        <span key={i} className="field-error">{m}</span>
      ))}
    </label>
  );
}
