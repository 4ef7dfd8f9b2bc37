import { useEffect, useState } from 'react';
import { navigate, parseRoute, usePath } from './router';
import { ProcessesPage } from './pages/ProcessesPage';
import { EditorPage } from './pages/EditorPage';
import { LoginPage } from './pages/LoginPage';
import { UsersPage } from './pages/UsersPage';
import { EnvPage } from './pages/EnvPage';
import { api, SIGNED_OUT, type Me } from './api';

export function App() {
  const route = parseRoute(usePath());
  // undefined: still asking the server; null: not signed in.
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  useEffect(() => {
    api.me().then(setMe, () => setMe(null));
    const signedOut = () => setMe(null);
    window.addEventListener(SIGNED_OUT, signedOut);
    return () => window.removeEventListener(SIGNED_OUT, signedOut);
  }, []);

  if (me === undefined) return <div className="app" />;
  if (me === null) return <div className="app"><LoginPage onSignedIn={setMe} /></div>;
  return (
    <div className="app">
      <div className="account" data-testid="account">
        <span className="muted small">{me.login} · {me.role}</span>
        <button className="btn small" onClick={() => navigate(route.page === 'env' ? '/' : '/env')}>{route.page === 'env' ? 'Processes' : 'Variables'}</button>
        {me.role === 'admin' && <button className="btn small" onClick={() => navigate(route.page === 'users' ? '/' : '/users')}>{route.page === 'users' ? 'Processes' : 'Users'}</button>}
        <button className="btn small" onClick={() => api.logout().finally(() => setMe(null))}>Sign out</button>
      </div>
      {route.page === 'processes' && <ProcessesPage />}
      {route.page === 'users' && <UsersPage />}
      {route.page === 'env' && <EnvPage canEdit={me.role !== 'viewer'} />}
      {route.page === 'editor' && <EditorPage key={route.convId} convId={route.convId} />}
      {route.page === 'not-found' && (
        <div className="page">
          <div className="empty">
            <h2>Page not found</h2>
            <button className="btn primary" onClick={() => navigate('/')}>Go to processes</button>
          </div>
        </div>
      )}
    </div>
  );
}
