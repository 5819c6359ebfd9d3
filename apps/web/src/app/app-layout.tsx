import { Suspense, useEffect, useId, useRef, useState } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { useSession } from '../api/api-context.js';
import { LoadingState } from '../components/loading-state.js';
import { PageErrorBoundary } from './page-error-boundary.js';
import { builtPages } from './page-registry.js';
import { ProjectSwitcher } from './project-switcher.js';

/**
 * The frame of every signed-in page: the header (project, sign out), the navigation (a menu
 * button at 768 px and below) and the page itself.
 */
export function AppLayout() {
  const { signOut } = useSession();
  const location = useLocation();
  const navId = useId();
  const [menuOpen, setMenuOpen] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  // Following a link closes the menu on small screens.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the path is the trigger
  useEffect(() => setMenuOpen(false), [location.pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="shell-header">
        <button
          ref={menuButton}
          type="button"
          className="button menu-button"
          aria-expanded={menuOpen}
          aria-controls={navId}
          onClick={() => setMenuOpen(!menuOpen)}
        >
          Menu
        </button>
        <Link to="/" className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Flywheel
        </Link>
        <div className="shell-header-end">
          <ProjectSwitcher />
          <button type="button" className="button" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav
        id={navId}
        className="shell-nav"
        aria-label="Main"
        data-open={menuOpen}
        onKeyDown={(event) => {
          // Escape closes the open menu and puts the keyboard back on its button.
          if (event.key === 'Escape' && menuOpen) {
            setMenuOpen(false);
            menuButton.current?.focus();
          }
        }}
      >
        <ul className="nav-list">
          {builtPages.map((page) => (
            <li key={page.path}>
              <NavLink to={`/${page.path}`} end={page.path === ''} className="nav-link">
                {page.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="shell-main" tabIndex={-1}>
        <PageErrorBoundary resetKey={location.pathname}>
          <Suspense fallback={<LoadingState label="Loading page…" />}>
            <Outlet />
          </Suspense>
        </PageErrorBoundary>
      </main>
    </div>
  );
}
