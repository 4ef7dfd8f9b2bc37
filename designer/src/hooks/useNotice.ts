import { useCallback, useRef, useState } from 'react';

export type NoticeKind = 'success' | 'error' | 'info';
export interface Notice {
  kind: NoticeKind;
  text: string;
}

/** A short message at the top of the editor; errors stay until dismissed, the others fade. */
export function useNotice() {
  const [notice, setNotice] = useState<Notice | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const flash = useCallback((kind: NoticeKind, text: string, ms = 3500) => {
    setNotice({ kind, text });
    clearTimeout(timer.current);
    if (kind !== 'error') timer.current = setTimeout(() => setNotice(null), ms);
  }, []);
  const dismiss = useCallback(() => setNotice(null), []);
  return { notice, flash, dismiss };
}

export type Flash = ReturnType<typeof useNotice>['flash'];
