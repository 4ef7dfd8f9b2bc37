// Corezoid exports dropped on the designer's Import button: told apart from our own format here, so
// the page sends each to the right endpoint (/api/import/corezoid converts, /api/processes creates).

/** True for a Corezoid export: a folder (a list of objects) or one object with Corezoid's obj_type or scheme. */
export function isCorezoidExport(json: unknown): boolean {
  if (Array.isArray(json)) return true;
  if (!json || typeof json !== 'object') return false;
  const o = json as Record<string, unknown>;
  // Our processes carry nodes at the top; Corezoid's keep them in scheme.nodes.
  if (Array.isArray(o.nodes)) return false;
  return 'obj_type' in o || 'scheme' in o;
}

/** One line of an import's report: a node the importer changed or could not convert. */
export interface ImportIssue {
  node_id: string | null;
  node_title: string | null;
  what: string;
  why: string;
  not_convertible: boolean;
}

/** What POST /api/import/corezoid answers: per process, created or why not, and what changed. */
export interface CorezoidImportReport {
  processes: {
    corezoid_obj_id: string | null;
    title: string;
    created: boolean;
    process?: { conv_id: number; title: string };
    issues: ImportIssue[];
    not_convertible: ImportIssue[];
    warnings?: { node_id: string | null; field: string; message: string }[];
    errors?: { node_id: string | null; field: string; message: string }[];
  }[];
  conv_ids: { title: string; old: number | null; new: number }[];
  issues: ImportIssue[];
  env_vars: { name: string; defined: boolean }[];
}

/** "node 'Call API' (n3): what — why", the one wording of an issue in the report. */
export function describeIssue(i: ImportIssue): string {
  const where = i.node_id ? `node '${i.node_title ?? i.node_id}' (${i.node_id})` : 'process';
  return `${where}: ${i.what}${i.why ? ` — ${i.why}` : ''}`;
}
