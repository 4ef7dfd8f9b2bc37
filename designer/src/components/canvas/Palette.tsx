import { useMemo, useState } from 'react';
import type { CatalogEntry } from '../../model/types';
import { CATEGORY_LABELS, CATEGORY_ORDER, iconFor } from '../icons';

export const DND_TYPE = 'application/x-workflows-node-type';

interface Props {
  catalog: CatalogEntry[];
  onAdd: (type: string) => void;
  disabled?: boolean;
}

/** Node types grouped by category; drag one onto the canvas (or click to add it). */
export function Palette({ catalog, onAdd, disabled }: Props) {
  const [filter, setFilter] = useState('');
  const groups = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const by = new Map<string, CatalogEntry[]>();
    for (const e of catalog) {
      if (f && !`${e.title} ${e.type} ${e.help ?? ''}`.toLowerCase().includes(f)) continue;
      const list = by.get(e.category) ?? [];
      list.push(e);
      by.set(e.category, list);
    }
    const order = (c: string) => {
      const i = CATEGORY_ORDER.indexOf(c);
      return i < 0 ? 99 : i;
    };
    return [...by.entries()].sort((a, b) => order(a[0]) - order(b[0]) || a[0].localeCompare(b[0]));
  }, [catalog, filter]);

  return (
    <aside className={`palette${disabled ? ' disabled' : ''}`}>
      <input className="palette-filter" type="search" placeholder="Find a node…" value={filter} onChange={(e) => setFilter(e.target.value)} />
      {catalog.length === 0 && <div className="muted small pad">Loading node types…</div>}
      {groups.map(([category, entries]) => (
        <div key={category} className="palette-group">
          <div className="palette-cat">{CATEGORY_LABELS[category] ?? category}</div>
          {entries.map((e) => (
            <div
              key={e.type}
              data-testid={`palette-${e.type}`}
              className={`palette-item kind-${e.kind ?? 'unknown'}`}
              draggable={!disabled}
              title={e.help ?? e.title}
              onDragStart={(ev) => {
                ev.dataTransfer.setData(DND_TYPE, e.type);
                ev.dataTransfer.effectAllowed = 'move';
              }}
              onDoubleClick={() => !disabled && onAdd(e.type)}
            >
              <span className="wf-icon">{iconFor(e.icon, e.type)}</span>
              <span>{e.title}</span>
            </div>
          ))}
        </div>
      ))}
      <div className="palette-tip muted small">Drag a node onto the canvas, or double-click it.</div>
    </aside>
  );
}
