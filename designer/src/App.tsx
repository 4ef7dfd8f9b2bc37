import { useEffect, useState } from 'react';
import { navigate, parseRoute, usePath } from './router';
import { AccountMenu } from './components/AccountMenu';
import { ProcessesPage } from './pages/ProcessesPage';
import { EditorPage } from './pages/EditorPage';
import { LoginPage } from './pages/LoginPage';
import { UsersPage } from './pages/UsersPage';
import { EnvPage } from './pages/EnvPage';
import { CredentialsPage } from './pages/CredentialsPage';
import { PasswordPage } from './pages/PasswordPage';
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
      <AccountMenu me={me} route={route} onSignedOut={() => setMe(null)} />
      {route.page === 'processes' && <ProcessesPage />}
      {route.page === 'users' && <UsersPage />}
      {route.page === 'env' && <EnvPage canEdit={me.role !== 'viewer'} />}
      {route.page === 'credentials' && <CredentialsPage />}
      {route.page === 'password' && <PasswordPage me={me} />}
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
