import type { CatalogEntry, ValidationError } from './types';

export interface ErrorIndex {
  /** Errors by node id. */
  byNode: Record<string, ValidationError[]>;
  /** Errors without a node (process-level). */
  process: ValidationError[];
  all: ValidationError[];
}

export function indexErrors(errors: ValidationError[] | null | undefined): ErrorIndex {
  const idx: ErrorIndex = { byNode: {}, process: [], all: errors ?? [] };
  for (const e of errors ?? []) {
    if (e.node_id) (idx.byNode[e.node_id] ??= []).push(e);
    else idx.process.push(e);
  }
  return idx;
}

/**
 * Errors of one field of a node. `field` is the form field path, such as
 * "params.src", "title" or "exits.next". An error on "params.rules[0].exit"
 * belongs to "params.rules" too (prefix match on a path boundary).
 */
export function fieldErrors(idx: ErrorIndex, nodeId: string, field: string): string[] {
  return (idx.byNode[nodeId] ?? [])
    .filter((e) => e.field && fieldMatches(e.field, field))
    .map((e) => e.message);
}

/** Errors of a node not attached to any of the given form fields (shown at the top of the panel). */
export function otherNodeErrors(idx: ErrorIndex, nodeId: string, knownFields: string[]): string[] {
  return (idx.byNode[nodeId] ?? [])
    .filter((e) => !e.field || !knownFields.some((f) => fieldMatches(e.field!, f)))
    .map((e) => (e.field ? `${e.field}: ${e.message}` : e.message));
}

export function fieldMatches(errorField: string, field: string): boolean {
  const ef = normaliseField(errorField);
  const f = normaliseField(field);
  if (ef === f) return true;
  return ef.startsWith(f) && (ef[f.length] === '.' || ef[f.length] === '[');
}

/** Accepts both "src" and "params.src" style paths from the server for parameters. */
function normaliseField(f: string): string {
  return f.trim();
}

/** Extracts validation errors from an RFC 9457 problem body (or a validate response). */
export function errorsFromProblem(body: unknown): ValidationError[] {
  if (!body || typeof body !== 'object') return [];
  const errs = (body as { errors?: unknown }).errors;
  if (Array.isArray(errs)) {
    return errs
      .filter((e) => e && typeof e === 'object')
      .map((e) => {
        const o = e as Record<string, unknown>;
        return {
          node_id: typeof o.node_id === 'string' ? o.node_id : null,
          field: typeof o.field === 'string' ? o.field : null,
          message: typeof o.message === 'string' ? o.message : String(o.message ?? 'Invalid'),
        };
      });
  }
  // ASP.NET-style validation dictionary: {"errors": {"Field": ["msg"]}}
  if (errs && typeof errs === 'object') {
    const out: ValidationError[] = [];
    for (const [field, msgs] of Object.entries(errs as Record<string, unknown>)) {
      for (const m of Array.isArray(msgs) ? msgs : [msgs]) out.push({ node_id: null, field, message: String(m) });
    }
    return out;
  }
  return [];
}

/**
 * Drops the errors of one field once the user edits it (they no longer describe
 * what is on screen). `editKey` is "<nodeId>:<field>" or "process:<field>".
 */
export function clearEditedErrors(errors: ValidationError[], editKey: string): ValidationError[] {
  const i = editKey.indexOf(':');
  if (i < 0) return errors;
  const target = editKey.slice(0, i);
  const field = editKey.slice(i + 1);
  const isProcess = target === 'process';
  const out = errors.filter((e) => {
    const sameTarget = isProcess ? !e.node_id : e.node_id === target;
    return !(sameTarget && e.field && fieldMatches(e.field, field));
  });
  return out.length === errors.length ? errors : out;
}

const NODE_FIELDS: Record<string, string> = { title: 'Title', description: 'Description', type: 'Node type', id: 'Node id', count_limit: 'Count limit', time_limit: 'Time limit', x: 'Position', y: 'Position' };
const PROCESS_FIELDS: Record<string, string> = { title: 'Title', description: 'Description', alias: 'Alias', conv_id: 'Number (conv_id)', nodes: 'Nodes', settings: 'Settings', params: 'Parameters', kind: 'Kind', schedules: 'Schedules' };

/**
 * A field path from the server in the analyst's words: "params.src" of a code node → "JavaScript",
 * "exits.next" → "Next exit", "params.headers.X" → "Headers › X"; the path itself when nothing fits.
 */
export function fieldLabel(field: string, entry?: CatalogEntry | null, forProcess = false): string {
  const [head, ...rest] = field.split('.');
  const tail = rest.join('.');
  if (forProcess) return (PROCESS_FIELDS[head] ?? field) + (tail && PROCESS_FIELDS[head] ? ` › ${tail}` : '');
  if (head === 'params' && tail) {
    const name = tail.split(/[.[]/)[0];
    const param = entry?.parameters.find((p) => p.name === name);
    const more = tail.slice(name.length).replace(/^\./, '');
    return param ? `${param.label || param.name}${more ? ` › ${more}` : ''}` : tail;
  }
  if (head === 'exits' && tail) {
    const exit = entry?.exits.find((e) => e.name === tail);
    return `${exit?.label || tail} exit`;
  }
  return NODE_FIELDS[head] ? NODE_FIELDS[head] + (tail ? ` › ${tail}` : '') : field;
}
