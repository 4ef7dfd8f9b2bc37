import { memo, useEffect } from 'react';
import { Handle, Position, useUpdateNodeInternals, type NodeProps } from '@xyflow/react';
import { useNodeCounter, useNodeSums } from '../../hooks/useLiveCounters';
import type { FlowNode } from '../../model/convert';
import { timeLimitText } from '../../model/exits';
import { markKind, markTitle } from '../../model/importNotes';
import { nodeWidth } from '../../model/layout';
import { sumLines } from '../../model/sums';
import { iconFor } from '../icons';


/** A workflow node: header with type, title, and one labelled source handle per exit. */
function WfNodeView({ id, data, selected }: NodeProps<FlowNode>) {
  const { def, catalog, exits, hasError, onPath, breakpoint, debugHere, importNotes } = data;
  const counter = useNodeCounter(id);
  const sumList = sumLines(def, useNodeSums(id));
  const updateInternals = useUpdateNodeInternals();
  const exitKey = exits.map((e) => e.name).join('|');
  useEffect(() => updateInternals(id), [id, exitKey, updateInternals]);

  const kind = catalog?.kind ?? 'unknown';
  const width = nodeWidth(exits.length);
  const classes = ['wf-node', `kind-${kind}`, `type-${def.type}`];
  if (selected) classes.push('selected');
  if (hasError) classes.push('has-error');
  if (onPath) classes.push('on-path');
  if (debugHere) classes.push('debug-here');
  if (!catalog) classes.push('unknown-type');
  const mark = importNotes?.length ? markKind(importNotes) : null;
  if (mark) classes.push(`import-${mark}`);

  return (
    <div className={classes.join(' ')} style={{ width }}>
      {def.type !== 'start' && <Handle type="target" position={Position.Top} className="wf-target" />}
      <div className="wf-node-head">
        <span className="wf-icon">{iconFor(catalog?.icon, def.type)}</span>
        {breakpoint && <span className="wf-breakpoint" title="Breakpoint: a test run stops before this node" data-testid="breakpoint" />}
        <span className="wf-type">{catalog?.title ?? def.type}</span>
        {mark && (
          <span className={`wf-import-mark ${mark}`} title={markTitle(importNotes!)} data-testid="import-mark" aria-label={markTitle(importNotes!)}>
            {mark === 'not-convertible' ? '✕' : '!'}
          </span>
        )}
        {counter != null && (
          <span className={`wf-counter${counter > 0 ? ' busy' : ''}`} title="Tasks in this node now">{counter}</span>
        )}
      </div>
      <div className="wf-node-body">
        <div className="wf-title">{def.title || catalog?.title || def.type}</div>
        <div className="wf-id">{id}</div>
        {sumList.length > 0 && (
          <div className="wf-sums">
            {sumList.map((l) => (
              <span key={l.name} className="wf-sum" title={`Running sum, read as {{node[${id}].${l.name}}}`}>
                Σ {l.name}{l.value !== null && <b> {l.value}</b>}
              </span>
            ))}
          </div>
        )}
        {(def.time_limit || def.count_limit) && (
          <div className="wf-limits">
            {def.time_limit && <span className="wf-limit time" title="Time limit: a task still here then leaves by the timeout exit">⏱ {timeLimitText(def.time_limit)}</span>}
            {def.count_limit && <span className="wf-limit count" title={`Count limit: more than ${def.count_limit.max} tasks here escalate to ${def.count_limit.conv_id}`}>≤ {def.count_limit.max} tasks</span>}
          </div>
        )}
      </div>
      {exits.length > 0 && (
        <div className="wf-exits">
          {exits.map((e) => {
            const connected = !!def.exits?.[e.name];
            return (
              <div key={e.name} className={`wf-exit${connected ? ' connected' : ''}${e.required && !connected ? ' missing' : ''}${e.unknown ? ' unknown' : ''} exit-${e.name}`}>
                <span className="wf-exit-label" title={e.unknown ? `${e.label}: this node type has no such exit` : e.label}>{e.unknown ? `? ${e.label}` : e.label}</span>
                <Handle type="source" id={e.name} position={Position.Bottom} className="wf-source" />
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}

export const WfNode = memo(WfNodeView);
