import { useEffect, useRef, useState } from 'react';
import { api, type Me } from '../api';
import { navigate, type Route } from '../router';

/**
 * The signed-in user's menu, in the right corner of every page's top bar. Closed it is one small
 * button; the top bars keep its width free (--account-width, measured here), so it never covers a
 * page's buttons, tables or the canvas.
 */
export function AccountMenu({ me, route, onSignedOut }: { me: Me; route: Route; onSignedOut: () => void }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const publish = () => document.documentElement.style.setProperty('--account-width', `${Math.ceil(el.getBoundingClientRect().width)}px`);
    publish();
    const observer = new ResizeObserver(publish);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  const go = (path: string) => {
    setOpen(false);
    navigate(path);
  };
  const item = (page: Route['page'], path: string, label: string) =>
    route.page === page
      ? <button key={page} className="btn small" onClick={() => go('/')}>Processes</button>
      : <button key={page} className="btn small" onClick={() => go(path)}>{label}</button>;

  return (
    <div className="account" data-testid="account" ref={box}>
      <button className="btn small account-toggle" aria-expanded={open} title="Account" onClick={() => setOpen(!open)}>
        <span className="account-name">{me.login} · {me.role}</span> ▾
      </button>
      {open && (
        <div className="account-menu">
          {item('env', '/env', 'Variables')}
          {me.role === 'admin' && item('users', '/users', 'Users')}
          {me.role === 'admin' && item('credentials', '/credentials', 'Credentials')}
          {item('password', '/password', 'Password')}
          <button className="btn small" onClick={() => api.logout().finally(onSignedOut)}>Sign out</button>
        </div>
      )}
    </div>
  );
}
