/** Makes an id from a base (usually the node type) that is not in `taken`: code1, code2, … */
export function uniqueId(base: string, taken: Set<string> | Iterable<string>): string {
  const set = taken instanceof Set ? taken : new Set(taken);
  const clean = base.replace(/[^A-Za-z0-9_]/g, '_').replace(/\d+$/, '') || 'node';
  for (let i = 1; ; i++) {
    const id = `${clean}${i}`;
    if (!set.has(id)) return id;
  }
}
