import { useEffect } from 'react';
import { copyNodes, isClip, pasteNodes, type Clip } from '../model/clipboard';
import { useEditor } from '../store/editor';
import type { Flash } from './useNotice';

const CLIP_KEY = 'workflows.clipboard';
let pasteCount = 0;

/** The editor's keyboard: Ctrl+S saves; outside text fields Ctrl+Z/Y undo and redo, Ctrl+C/V copy and paste nodes, Ctrl+A selects all. */
export function useShortcuts(save: () => Promise<void>, flash: Flash) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = e.ctrlKey || e.metaKey;
      if (!mod) return;
      const key = e.key.toLowerCase();
      if (key === 's') {
        e.preventDefault();
        void save();
        return;
      }
      const t = e.target as HTMLElement | null;
      const typing = !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
      if (typing) return;
      const st = useEditor.getState();
      if (key === 'z' && !e.shiftKey) {
        e.preventDefault();
        st.undo();
      } else if ((key === 'z' && e.shiftKey) || key === 'y') {
        e.preventDefault();
        st.redo();
      } else if (key === 'c' && st.def && st.selectedNodes.length) {
        const clip = copyNodes(st.def, st.selectedNodes);
        localStorage.setItem(CLIP_KEY, JSON.stringify(clip));
        pasteCount = 0;
        flash('info', `Copied ${clip.nodes.length} node(s).`, 1500);
      } else if (key === 'v' && st.def && !st.viewing) {
        let clip: Clip | null = null;
        try {
          const parsed = JSON.parse(localStorage.getItem(CLIP_KEY) ?? 'null');
          if (isClip(parsed)) clip = parsed;
        } catch {
          /* nothing to paste */
        }
        if (!clip || !clip.nodes.length) return;
        e.preventDefault();
        pasteCount++;
        const r = pasteNodes(st.def, clip, { x: 40 * pasteCount, y: 40 * pasteCount });
        st.change(() => r.def);
        st.select(r.ids);
      } else if (key === 'a') {
        e.preventDefault();
        if (st.def) st.select(st.def.nodes.map((n) => n.id));
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, flash]);
}
