import { Link, useLocation } from 'react-router';
import { EmptyState } from '../components/empty-state.js';
import { PageHeader } from '../components/page-header.js';

/** Any URL no page claims. */
export function NotFoundPage() {
  const location = useLocation();
  return (
    <>
      <PageHeader title="Page not found" />
      <EmptyState
        title={`Nothing lives at ${location.pathname}`}
        action={
          <Link className="button" to="/">
            Go to the Dashboard
          </Link>
        }
      >
        The link may be old, or the page may not be part of this version of Flywheel.
      </EmptyState>
    </>
  );
}
