import type { CatalogEntry, NodeDef, Rule } from './types';

/** "30 s", "2 h", "until {{call_at}}": a node's time limit as the canvas shows it. */
export function timeLimitText(limit: NodeDef['time_limit']): string | null {
  if (!limit) return null;
  if (limit.until) return `until ${limit.until}`;
  const s = limit.seconds ?? 0;
  if (s >= 86400 && s % 86400 === 0) return `${s / 86400} d`;
  if (s >= 3600 && s % 3600 === 0) return `${s / 3600} h`;
  if (s >= 60 && s % 60 === 0) return `${s / 60} min`;
  return `${s} s`;
}

export interface ExitInfo {
  name: string;
  label: string;
  required: boolean;
  /** Connected in the definition, but the node type does not offer this exit. */
  unknown?: boolean;
}

/** Reads the rules of a condition node defensively (params may be malformed while editing). */
export function rulesOf(node: Pick<NodeDef, 'params'>): Rule[] {
  const rules = node.params?.rules;
  return Array.isArray(rules) ? (rules.filter((r) => r && typeof r === 'object') as Rule[]) : [];
}

/**
 * The exits a node offers, in display order.
 * Most node types take their exits from the catalog. A node with rules (`condition`,
 * `set_state`: a parameter of type rules) has one exit per rule (params.rules[].exit),
 * then `default` (a condition's; set_state has none), then the catalog's `error`
 * exit if the catalog declares one.
 */
export function exitsOf(node: Pick<NodeDef, 'type' | 'params'> & Partial<Pick<NodeDef, 'time_limit'>>, catalog: CatalogEntry | undefined): ExitInfo[] {
  const fromCatalog: ExitInfo[] = (catalog?.exits ?? []).map((e) => ({
    name: e.name,
    label: e.label ?? e.name,
    required: e.required ?? false,
  }));
  // A time limit on any node adds the exit its tasks leave by when it runs out.
  if (node.time_limit && !fromCatalog.some((e) => e.name === 'timeout')) fromCatalog.push({ name: 'timeout', label: 'Time limit', required: true });
  const withRules = node.type === 'condition' || (catalog?.parameters ?? []).some((p) => p.type === 'rules');
  if (!withRules) return fromCatalog;

  const result: ExitInfo[] = [];
  const seen = new Set<string>();
  for (const rule of rulesOf(node)) {
    const name = typeof rule.exit === 'string' ? rule.exit.trim() : '';
    if (!name || seen.has(name)) continue;
    seen.add(name);
    result.push({ name, label: name, required: true });
  }
  if (!seen.has('default') && (node.type === 'condition' || fromCatalog.some((e) => e.name === 'default'))) {
    const d = fromCatalog.find((e) => e.name === 'default');
    result.push(d ?? { name: 'default', label: 'Default', required: true });
    seen.add('default');
  }
  const error = fromCatalog.find((e) => e.name === 'error');
  if (error && !seen.has('error')) result.push(error);
  // Any other exit the catalog declares for condition (future-proof).
  for (const e of fromCatalog) if (!seen.has(e.name) && e.name !== 'error') result.push(e);
  return result;
}

/** Removes exits that the node no longer offers (e.g. after a rule was deleted). */
export function pruneExits(node: NodeDef, catalog: CatalogEntry | undefined): NodeDef {
  if (!catalog) return node;
  const names = new Set(exitsOf(node, catalog).map((e) => e.name));
  const exits: Record<string, string> = {};
  let changed = false;
  for (const [k, v] of Object.entries(node.exits ?? {})) {
    if (names.has(k)) exits[k] = v;
    else changed = true;
  }
  return changed ? { ...node, exits } : node;
}

/**
 * Keeps connections when a rule's exit is renamed: if a rule at the same position
 * now has another exit name, its connection moves to the new name.
 * Only applies when the number of rules is unchanged (a rename, not an add/remove).
 */
export function carryRuleExits(oldRules: Rule[], newRules: Rule[], exits: Record<string, string>): Record<string, string> {
  if (oldRules.length !== newRules.length) return exits;
  let out = exits;
  for (let i = 0; i < newRules.length; i++) {
    const from = oldRules[i]?.exit?.trim();
    const to = newRules[i]?.exit?.trim();
    if (!from || !to || from === to || !(from in out) || to in out) continue;
    if (newRules.some((r, j) => j !== i && r?.exit?.trim() === from)) continue; // old name still used
    out = { ...out, [to]: out[from] };
    delete out[from];
  }
  return out;
}

/**
 * The exits to draw on the canvas: the ones the node offers, plus any exit the
 * definition connects that the node does not offer (unknown type, deleted rule,
 * hand-edited file), so that no connection silently disappears.
 */
export function displayExits(node: Pick<NodeDef, 'type' | 'params' | 'exits'> & Partial<Pick<NodeDef, 'time_limit'>>, catalog: CatalogEntry | undefined): ExitInfo[] {
  const offered = exitsOf(node, catalog);
  const names = new Set(offered.map((e) => e.name));
  const extra = Object.keys(node.exits ?? {})
    .filter((k) => !names.has(k))
    .map((name) => ({ name, label: name, required: false, unknown: true }));
  return extra.length ? [...offered, ...extra] : offered;
}
