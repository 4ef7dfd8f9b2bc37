import type { ReactNode } from 'react';

/** The top bar of a page outside the editor: the brand with the page's title, then the page's own controls on the right. */
export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="topbar">
      <div className="brand"><span className="logo">⟡</span> {title}</div>
      <div className="spacer" />
      {children}
    </header>
  );
}
