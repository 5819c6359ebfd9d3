import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

// The UI bundles the SDK and spec from their TypeScript sources (the `flywheel-source` export
// condition), as the tests do, so `vite build` does not depend on their `dist/`.
export default defineConfig({
  plugins: [react()],
  resolve: { conditions: ['flywheel-source', ...defaultClientConditions] },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Every browser the UI supports preloads modules natively: the polyfill would be dead code.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // The Dashboard's chunk holds ECharts (only the line and bar charts, grid, tooltip, legend and
    // canvas renderer): about 550 kB, 190 kB gzipped. It loads with that page only.
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev -w @flywheel/web` next to `npm start`: the API comes from the running server.
    proxy: Object.fromEntries(['/api', '/v1', '/health'].map((path) => [path, 'http://127.0.0.1:4000'])),
  },
});
