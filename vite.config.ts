import type { IncomingMessage } from 'node:http';
import react from '@vitejs/plugin-react';
import type { Plugin, ProxyOptions } from 'vite';
import { defineConfig } from 'vitest/config';
// @ts-expect-error plain ESM helper shared with the e2e runner
import { recordBuildInputs } from './scripts/ui-build-inputs.mjs';

/**
 * The built index.html says it is a static site; the lab server removes the mark when it
 * serves the page (server/lab/ui.ts), so only a plain file host leaves it in place.
 */
const staticMarker: Plugin = {
  name: 'lab-static-marker',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { name: 'lab-backend', content: 'static' }, injectTo: 'head' }],
};

/**
 * How the dev server hands /api (and its WebSocket) and /subject to the lab: the one that
 * `npm run dev` started (it sets LAB_URL), else a lab on port 3000.
 *
 * The lab answers only to its own addresses and pages (server/lab/guard.ts) and the dev page
 * comes from Vite's port, so the proxy names the lab in Host (changeOrigin), and a request
 * from Vite's own page (its Origin is the address the browser asked Vite for) reaches the
 * lab as one from the lab's origin. Vite refuses Host names it does not know
 * (server.allowedHosts); any other Origin passes unchanged, for the lab to refuse.
 */
function labProxy(target: string): Record<string, ProxyOptions> {
  const labOrigin = new URL(target).origin;
  const fromDevPage = (request: IncomingMessage) => {
    const origin = request.headers.origin;
    return origin !== undefined && URL.canParse(origin) && new URL(origin).host === request.headers.host;
  };
  const configure: ProxyOptions['configure'] = (proxy) => {
    proxy.on('proxyReq', (proxyRequest, request) => {
      if (fromDevPage(request)) proxyRequest.setHeader('origin', labOrigin);
    });
    proxy.on('proxyReqWs', (proxyRequest, request) => {
      if (fromDevPage(request)) proxyRequest.setHeader('origin', labOrigin);
    });
  };
  return {
    '/api': { target, ws: true, changeOrigin: true, configure },
    '/subject': { target, changeOrigin: true, configure },
  };
}

/**
 * `npm run coverage` (scripts/coverage.mjs) names a scratch folder here. Every process and thread
 * the tests start (the lab, the subject, the database server, the load generator) inherits
 * NODE_V8_COVERAGE=<folder>/children and writes its V8 coverage there when it exits; the tests'
 * own coverage goes to <folder>/in-process, raw, for the script to merge with the children's.
 */
const coverageScratch = process.env.LAB_COVERAGE_SCRATCH;
/** Monocart's own options (a key Vitest's coverage type does not know, hence not written inline). */
const monocartOptions = {
  coverageReportOptions: {
    // Only the sources: not the prebuilt bundles (build/) or temporary files some tests import.
    sourceFilter: (file: string) => /^(server|src|common)\/.*\.[cm]?tsx?$/.test(file) && !file.endsWith('.d.ts'),
    ...(coverageScratch
      ? { reports: ['raw'], outputDir: `${coverageScratch}/in-process`, logging: 'error' }
      : { reports: ['text-summary', 'html'], outputDir: 'coverage' }),
  },
};

export default defineConfig({
  plugins: [react(), staticMarker, recordBuildInputs() as Plugin],
  build: {
    outDir: 'dist',
    sourcemap: true,
    // The one chunk over Vite's 500 kB warning is the handler editor (CodeMirror and its
    // languages, ~575 kB, ~190 kB gzip), loaded only when someone opens the editor; the first
    // page needs ~130 kB gzip. `npm start` builds the UI on a user's first start, where these
    // two notices read like errors. The first page's size is a row of bench/ui.ts instead.
    chunkSizeWarningLimit: 800,
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    proxy: labProxy(process.env.LAB_URL ?? 'http://127.0.0.1:3000'),
  },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Set in each test worker after it has started, so only the processes the tests start inherit it.
    // (The bundles the lab compiles for the subject, the proxy and the database get source maps then.)
    env: coverageScratch ? { NODE_V8_COVERAGE: `${coverageScratch}/children` } : {},
    // The lab's children compiled once per run, not once per file (tests/setup/buildOnce.ts).
    globalSetup: ['tests/setup/buildOnce.ts'],
    setupFiles: ['tests/setup/useBuild.ts'],
    // The failed tests, named again in `npm test`'s summary (tests/setup/failureReporter.ts).
    reporters: ['default', './tests/setup/failureReporter.ts'],
    coverage: {
      // Monocart's V8 coverage: scripts/coverage.mjs merges the tests' own with their children's.
      provider: 'custom',
      customProviderModule: 'vitest-monocart-coverage',
      include: ['server/**', 'src/**', 'common/**'],
      ...monocartOptions,
    },
    // Playwright specs live in tests/e2e and run under Playwright, not Vitest.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.{ts,tsx}', 'tests/integration/**/*.test.ts'],
          // Two files at a time, whatever the core count: the integration files start real
          // processes (a database, a proxy, a subject) and spend much of their time waiting on
          // them, so one file per core would leave a core idle. Every port is 0 and every data
          // dir a fresh temporary one, so files never share anything; nothing here measures time.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: 'timing',
          include: ['tests/timing/**/*.test.ts'],
          // These measure time: one file at a time, after the others when a run includes both.
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
