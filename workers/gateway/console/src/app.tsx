import { useEffect } from 'preact/hooks';
import { ErrorBoundary, LocationProvider, lazy, Route, Router, useLocation } from 'preact-iso';
import { Layout } from './layout.js';
import { SignIn } from './pages/sign-in.js';
import { PAGES, type PageDef } from './pages.js';
import { SessionProvider, useSession } from './session.js';

/** A page the session may not open: said plainly, and nothing of its data is asked for. */
function Forbidden() {
  return (
    <section class="page">
      <h1>Not allowed</h1>
      <p>Your account does not have the permission this page needs. Ask an administrator if you should.</p>
      <p>
        <a href="/console/account">Go to my account</a>
      </p>
    </section>
  );
}

function NotFound() {
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>
        <a href="/console">Back to the console</a>
      </p>
    </section>
  );
}

/** A page behind its permission; the home page sends those who may not see it to their account instead. */
function guarded(page: PageDef) {
  const Page = lazy(page.load);
  return function Guarded() {
    const { can } = useSession();
    const { route } = useLocation();
    const allowed = can(page.permission);
    const home = page.path === '/console';
    useEffect(() => {
      document.title = `${allowed ? page.title : 'Not allowed'} · Onasis Console`;
      if (!allowed && home) route('/console/account', true);
    }, [allowed, home, route]);
    return allowed ? <Page /> : home ? null : <Forbidden />;
  };
}

const ROUTES = PAGES.map((page) => ({ path: page.path, component: guarded(page) }));

/** The signed-in console: one router over every page (preact-iso routers do not nest without `/*` mounts). */
function Console() {
  return (
    <SessionProvider>
      <Layout>
        <ErrorBoundary>
          <Router>
            {[
              ...ROUTES.map((r) => <Route key={r.path} path={r.path} component={r.component} />),
              <Route key="404" default component={NotFound} />,
            ]}
          </Router>
        </ErrorBoundary>
      </Layout>
    </SessionProvider>
  );
}

/** The sign-in page on its own, or the signed-in console around every other path. */
function Root() {
  const { path } = useLocation();
  return path === '/console/sign-in' ? <SignIn /> : <Console />;
}

/** The console app. */
export function App() {
  return (
    <LocationProvider>
      <Root />
    </LocationProvider>
  );
}
