import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { PAGES } from './pages.js';
import { useSession } from './session.js';

/** The frame of every signed-in page: navigation limited to what the session may open, and the user's menu. */
export function Layout({ children }: { children: ComponentChildren }) {
  const { me, can, signOut } = useSession();
  const { path } = useLocation();
  const links = PAGES.filter((page) => page.nav !== false && can(page.permission));
  const current = (href: string) =>
    href === '/console' ? path === href : path === href || path.startsWith(`${href}/`);
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/console">
          Onasis Console
        </a>
        <div class="who">
          <span>{me.email}</span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav class="sidebar" aria-label="Console">
        <ul>
          {links.map((page) => (
            <li key={page.path}>
              <a href={page.path} aria-current={current(page.path) ? 'page' : undefined}>
                {page.title}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
