import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { type ApiEnvironment, ApiProvider } from './api/api-context.js';
import { AppRoutes } from './app/app-routes.js';
import './styles/theme.css';
import './styles/app.css';

// The UI is served by the server it talks to, so the API is at this page's origin.
const environment: ApiEnvironment = { baseUrl: window.location.origin, storage: window.sessionStorage };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiProvider environment={environment}>
      {/* The URL holds each page's state (filters, range, page), and the browser's URL changes as
          soon as a link or a control sets it. Rendering that change in a transition, React Router's
          default, leaves a moment where the page still shows the old URL and its controls act on it:
          typing or a click then is lost or undoes the change. Urgent updates close that gap; a page
          whose code is still loading shows its loading state instead of the previous page. */}
      <BrowserRouter useTransitions={false}>
        <AppRoutes />
      </BrowserRouter>
    </ApiProvider>
  </StrictMode>,
);
