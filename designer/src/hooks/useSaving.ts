import { useCallback, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import type { Definition, ValidationError } from '../model/types';
import { useEditor } from '../store/editor';
import type { Flash } from './useNotice';

/** " 1 warning: see Errors." after a save or a validation the server accepted with remarks. */
function warningNote(warnings: ValidationError[] | undefined): string {
  const n = warnings?.length ?? 0;
  return n === 0 ? '' : ` ${n} warning${n === 1 ? '' : 's'}: see Errors.`;
}

/** Save, validate and restore-a-version for the editor, with the server's errors put on the nodes. */
export function useSaving(convId: number, flash: Flash) {
  const [saving, setSaving] = useState(false);
  const inFlight = useRef(false);

  const save = useCallback(async () => {
    const st = useEditor.getState();
    if (!st.def || st.viewing || inFlight.current) return;
    inFlight.current = true;
    setSaving(true);
    try {
      const p = await api.saveProcess(convId, st.def);
      const { definition, ...summary } = p;
      // Keep what the user has now if it changed during the request.
      const latest = useEditor.getState().def!;
      const saved = { ...definition, conv_id: p.conv_id };
      useEditor.getState().markSaved(summary, saved, latest === st.def ? saved : latest);
      st.setErrors([]);
      st.setWarnings(p.warnings ?? []);
      flash('success', `Saved as version ${p.version}.` + warningNote(p.warnings));
    } catch (e) {
      const err = e as ApiError;
      st.setErrors(err.errors);
      if (err.errors.length) {
        flash('error', `Not saved: ${err.errors.length} error(s). Fix the highlighted nodes.`);
        st.setTab(err.errors.some((x) => x.node_id) && st.selectedNodes.length === 1 ? 'node' : 'errors');
      } else flash('error', `Not saved: ${err.message}`);
    } finally {
      inFlight.current = false;
      setSaving(false);
    }
  }, [convId, flash]);

  const validate = useCallback(async () => {
    const st = useEditor.getState();
    if (!st.def) return;
    try {
      const r = await api.validate(st.def);
      st.setErrors(r.errors ?? []);
      st.setWarnings(r.warnings ?? []);
      if (r.valid) flash('success', 'The process is valid.' + warningNote(r.warnings));
      else {
        flash('error', `${r.errors.length} error(s) found.`);
        st.setTab('errors');
      }
    } catch (e) {
      const err = e as ApiError;
      if (err.errors?.length) {
        st.setErrors(err.errors);
        st.setTab('errors');
      }
      flash('error', err.message);
    }
  }, [flash]);

  const restore = useCallback(async (def: Definition, version: number) => {
    const p = await api.saveProcess(convId, { ...def, conv_id: convId });
    const { definition, ...summary } = p;
    await useEditor.getState().load(summary, { ...definition, conv_id: p.conv_id });
    useEditor.getState().setTab('versions');
    flash('success', `Version ${version} restored as version ${p.version}.`);
  }, [convId, flash]);

  return { saving, save, validate, restore };
}
