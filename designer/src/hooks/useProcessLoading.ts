import { useEffect, useState } from 'react';
import { api, ApiError } from '../api';
import { setLeaveGuard } from '../router';
import { isDirty, useEditor } from '../store/editor';

/**
 * Loads the catalog and the process into the editor's store and fits it into view (`fit`); answers the
 * error that kept it from loading, if any. While the editor is open, leaving with unsaved changes
 * asks first (browser close or reload, and in-app navigation).
 */
export function useProcessLoading(convId: number, fit: () => void): string | null {
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    // The catalog first: laying out nodes without a position needs each node's exits.
    const catalog = api
      .catalog()
      .then((c) => !cancelled && useEditor.getState().setCatalog(c))
      .catch((e) => !cancelled && setLoadError(`Catalog: ${e.message}`));
    api
      .getProcess(convId)
      .then(async (p) => {
        await catalog;
        if (cancelled) return;
        const { definition, ...summary } = p;
        await useEditor.getState().load(summary, { ...definition, conv_id: p.conv_id });
        useEditor.getState().setWarnings(p.warnings ?? []);
        setTimeout(fit, 50);
      })
      .catch((e: ApiError) => !cancelled && setLoadError(e.status === 404 ? `Process ${convId} does not exist.` : e.message));
    return () => {
      cancelled = true;
    };
  }, [convId, fit]);

  useEffect(() => {
    const onBefore = (e: BeforeUnloadEvent) => {
      if (isDirty(useEditor.getState())) {
        e.preventDefault();
        e.returnValue = '';
      }
    };
    window.addEventListener('beforeunload', onBefore);
    setLeaveGuard(() => !isDirty(useEditor.getState()) || window.confirm('You have unsaved changes. Leave without saving?'));
    return () => {
      window.removeEventListener('beforeunload', onBefore);
      setLeaveGuard(null);
    };
  }, []);

  return loadError;
}
