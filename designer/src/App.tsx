import { navigate, parseRoute, usePath } from './router';
import { ProcessesPage } from './pages/ProcessesPage';
import { EditorPage } from './pages/EditorPage';

export function App() {
  const route = parseRoute(usePath());
  return (
    <div className="app">
      {route.page === 'processes' && <ProcessesPage />}
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

export function Link({ to, children, className }: { to: string; children: React.ReactNode; className?: string }) {
  return (
    <a
      href={to}
      className={className}
      onClick={(e) => {
        if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
        e.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
