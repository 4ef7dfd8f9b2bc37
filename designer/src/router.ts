import { useSyncExternalStore } from 'react';

// A very small history-API router: the app has two screens only.
const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** Set by the editor while there are unsaved changes, to confirm leaving. */
let leaveGuard: (() => boolean) | null = null;
export function setLeaveGuard(guard: (() => boolean) | null) {
  leaveGuard = guard;
}

export function navigate(path: string) {
  if (path === window.location.pathname) return;
  if (leaveGuard && !leaveGuard()) return;
  window.history.pushState(null, '', path);
  listeners.forEach((l) => l());
}

export function usePath(): string {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => window.location.pathname,
  );
}

export type Route = { page: 'processes' } | { page: 'users' } | { page: 'env' } | { page: 'credentials' } | { page: 'password' } | { page: 'editor'; convId: number } | { page: 'not-found' };

export function parseRoute(path: string): Route {
  const p = path.replace(/\/+$/, '') || '/';
  if (p === '/' || p === '/processes') return { page: 'processes' };
  if (p === '/users') return { page: 'users' };
  if (p === '/env') return { page: 'env' };
  if (p === '/credentials') return { page: 'credentials' };
  if (p === '/password') return { page: 'password' };
  const m = /^\/processes\/(\d+)$/.exec(p);
  if (m) return { page: 'editor', convId: Number(m[1]) };
  return { page: 'not-found' };
}
