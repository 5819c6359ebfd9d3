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
      <BrowserRouter>
        <AppRoutes />
      </BrowserRouter>
    </ApiProvider>
  </StrictMode>,
);
