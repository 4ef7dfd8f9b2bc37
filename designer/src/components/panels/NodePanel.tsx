import { carryRuleExits, exitsOf, pruneExits, rulesOf } from '../../model/exits';
import { fieldErrors, otherNodeErrors } from '../../model/errors';
import { updateNode } from '../../model/convert';
import type { NodeDef } from '../../model/types';
import { useEditor } from '../../store/editor';
import { iconFor } from '../icons';
import { NodeImportNotes } from './ImportNotes';
import { ParamField } from '../params/ParamField';

/** Properties of the selected node, generated from its catalog entry. */
export function NodePanel({ nodeId }: { nodeId: string }) {
  const def = useEditor((s) => s.viewing?.def ?? s.def);
  const catalog = useEditor((s) => s.catalog);
  const errors = useEditor((s) => s.errors);
  const readOnly = useEditor((s) => !!s.viewing);
  const change = useEditor((s) => s.change);
  const node = def?.nodes.find((n) => n.id === nodeId);
  if (!def || !node) return <div className="muted pad">The node no longer exists.</div>;
  const entry = catalog[node.type];
  const exits = exitsOf(node, entry);
  const params = entry?.parameters ?? [];

  const knownFields = ['title', 'description', 'time_limit', 'count_limit', ...params.map((p) => `params.${p.name}`), ...exits.map((e) => `exits.${e.name}`)];
  const other = otherNodeErrors(errors, node.id, knownFields);

  const setField = (field: 'title' | 'description', v: string) =>
    change((d) => updateNode(d, node.id, (n) => ({ ...n, [field]: v || undefined })), `${node.id}:${field}`);
  const setParam = (name: string, v: unknown) =>
    change(
      (d) =>
        updateNode(d, node.id, (n) => {
          const next = { ...n, params: { ...n.params, [name]: v } };
          if (v === null || v === undefined) delete next.params[name];
          if (name !== 'rules') return next;
          next.exits = carryRuleExits(rulesOf(n), rulesOf(next), n.exits ?? {});
          return pruneExits(next, entry);
        }),
      `${node.id}:params.${name}`,
    );
  const setTimeLimit = (v: NodeDef['time_limit']) =>
    change(
      (d) =>
        updateNode(d, node.id, (n) => {
          const next = { ...n, time_limit: v ?? undefined };
          if (!v) delete next.time_limit;
          return pruneExits(next, entry);
        }),
      `${node.id}:time_limit`,
    );
  const setCountLimit = (v: NodeDef['count_limit']) =>
    change((d) => updateNode(d, node.id, (n) => ({ ...n, count_limit: v ?? undefined })), `${node.id}:count_limit`);
  const setExit = (exit: string, target: string) =>
    change((d) =>
      updateNode(d, node.id, (n) => {
        const ex = { ...n.exits };
        if (target) ex[exit] = target;
        else delete ex[exit];
        return { ...n, exits: ex };
      }),
    );

  return (
    <fieldset className="panel-form" disabled={readOnly}>
      <div className="node-head">
        <span className="wf-icon big">{iconFor(entry?.icon, node.type)}</span>
        <div>
          <div className="node-type">{entry?.title ?? `Unknown type "${node.type}"`}</div>
          {entry?.help && <div className="hint">{entry.help}</div>}
        </div>
      </div>
      {other.length > 0 && (
        <div className="alert error">
          {other.map((m, i) => (
            <div key={i}>{m}</div>
          ))}
        </div>
      )}
      <NodeImportNotes nodeId={node.id} />
      <label className="field">
        <span className="label">Node id</span>
        <input value={node.id} readOnly className="mono readonly" onFocus={(e) => e.target.select()} />
      </label>
      <Text label="Title" value={node.title ?? ''} placeholder={entry?.title} errors={fieldErrors(errors, node.id, 'title')} onChange={(v) => setField('title', v)} />
      <Text label="Description" multiline value={node.description ?? ''} errors={fieldErrors(errors, node.id, 'description')} onChange={(v) => setField('description', v)} />

      {params.length > 0 && <h4 className="section">Parameters</h4>}
      {params.map((p) => (
        <ParamField
          key={`${node.id}:${p.name}`}
          schema={p}
          value={node.params?.[p.name] ?? null}
          errors={fieldErrors(errors, node.id, `params.${p.name}`)}
          readOnly={readOnly}
          onChange={(v) => setParam(p.name, v)}
        />
      ))}

      <h4 className="section">Limits</h4>
      <Text
        label="Time limit (seconds)"
        value={node.time_limit?.seconds != null ? String(node.time_limit.seconds) : ''}
        placeholder="none"
        errors={fieldErrors(errors, node.id, 'time_limit')}
        onChange={(v) => setTimeLimit(v.trim() === '' ? null : { seconds: Number(v) })}
      />
      <Text
        label="…or until (unix time template)"
        value={node.time_limit?.until ?? ''}
        placeholder="{{call_at}}"
        errors={[]}
        onChange={(v) => setTimeLimit(v.trim() === '' ? null : { until: v })}
      />
      <Text
        label="Count limit (tasks)"
        value={node.count_limit ? String(node.count_limit.max) : ''}
        placeholder="none"
        errors={fieldErrors(errors, node.id, 'count_limit')}
        onChange={(v) => setCountLimit(v.trim() === '' ? null : { max: Number(v), conv_id: node.count_limit?.conv_id ?? '' })}
      />
      {node.count_limit && (
        <Text
          label="Escalate to process (conv_id or @alias)"
          value={node.count_limit.conv_id}
          errors={[]}
          onChange={(v) => setCountLimit({ max: node.count_limit!.max, conv_id: v })}
        />
      )}

      {exits.length > 0 && <h4 className="section">Exits</h4>}
      {exits.map((e) => {
        const errs = fieldErrors(errors, node.id, `exits.${e.name}`);
        return (
          <div key={e.name} className={`field exit-row${errs.length ? ' has-error' : ''}`}>
            <span className="label">
              {e.label}
              {e.required && <span className="req">*</span>}
            </span>
            <select value={node.exits?.[e.name] ?? ''} onChange={(ev) => setExit(e.name, ev.target.value)}>
              <option value="">— not connected —</option>
              {def.nodes
                .filter((n) => n.type !== 'start')
                .map((n) => (
                  <option key={n.id} value={n.id}>{n.title ? `${n.title} (${n.id})` : n.id}</option>
                ))}
            </select>
            {errs.map((m, i) => (
              <div key={i} className="field-error">{m}</div>
            ))}
          </div>
        );
      })}
    </fieldset>
  );
}

function Text(props: { label: string; value: string; onChange: (v: string) => void; errors: string[]; multiline?: boolean; placeholder?: string }) {
  return (
    <label className={`field${props.errors.length ? ' has-error' : ''}`}>
      <span className="label">{props.label}</span>
      {props.multiline ? (
        <textarea rows={2} value={props.value} onChange={(e) => props.onChange(e.target.value)} />
      ) : (
        <input value={props.value} placeholder={props.placeholder} onChange={(e) => props.onChange(e.target.value)} />
      )}
      {props.errors.map((m, i) => (
        <div key={i} className="field-error">{m}</div>
      ))}
    </label>
  );
}
