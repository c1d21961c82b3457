import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * The built index.html says it is a static site; the lab server removes the mark when it
 * serves the page (server/lab/ui.ts), so only a plain file host leaves it in place.
 */
const staticMarker: Plugin = {
  name: 'lab-static-marker',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { name: 'lab-backend', content: 'static' }, injectTo: 'head' }],
};

export default defineConfig({
  plugins: [react(), staticMarker],
  build: { outDir: 'dist', sourcemap: true },
  server: {
    proxy: {
      '/api': { target: 'http://127.0.0.1:3000', ws: true },
      '/subject': 'http://127.0.0.1:3000',
    },
  },
  test: {
    // Playwright specs live in tests/e2e and run under Playwright, not Vitest.
    include: ['tests/unit/**/*.test.{ts,tsx}', 'tests/integration/**/*.test.ts', 'tests/timing/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests start real processes and some measure time: run files one at a time.
    fileParallelism: false,
  },
});
