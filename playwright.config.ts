import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
// @ts-expect-error plain ESM helper shared with the runner script
import { CHROME_ARGS, findChrome } from './tests/e2e/chrome.mjs';

const port = Number(process.env.E2E_PORT ?? 3199);
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'lab-e2e-'));
process.env.E2E_DATA_DIR = dataDir; // workers re-evaluate this file: keep one data dir

/**
 * Two labs, each with the specs of its own project, so two specs run at once without sharing
 * an event loop: a spec changes its lab's mode, handlers and runtime, so the specs of one lab
 * run one at a time (the project's `workers: 1`). The first lab's share is named here (about
 * half the suite's time); every other spec, a new one included, runs on the second.
 */
const FIRST_LAB_SPECS = [
  'a11y.spec.ts',
  'visualizer.spec.ts',
  'runtime.spec.ts',
  'static.spec.ts',
  'staticClean.spec.ts',
  'dbRestart.spec.ts',
  'tornadoEditor.spec.ts',
  'reconnect.spec.ts',
];
// The compiled server when tests/e2e/run.mjs names one, as `npm start` runs it; else the sources.
const LAB_COMMAND = process.env.E2E_LAB_BUILD ? 'node tests/e2e/labFromBuild.mjs' : 'npx tsx server/cli.ts';
const labs = [
  { name: 'lab-1', port, testMatch: FIRST_LAB_SPECS.map((spec) => `**/${spec}`), testIgnore: [] as string[] },
  {
    name: 'lab-2',
    port: Number(process.env.E2E_PORT_2 ?? port + 1),
    testMatch: '**/*.spec.ts',
    testIgnore: FIRST_LAB_SPECS.map((spec) => `**/${spec}`),
  },
];

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.spec.ts',
  workers: labs.length,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: process.env.CI ? 1 : 0,
  outputDir: 'test-results',
  reporter: [['list'], ['./tests/e2e/flakyReporter.ts']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: (findChrome() as string | null) ?? undefined, args: CHROME_ARGS },
    // A failed test keeps its trace: every action with the page's DOM before and after it. Not
    // the screencast (a picture of every frame painted, all test long, for every test, passing
    // or not): it cost a third of the suite's time on this 2-core machine. A failure still
    // keeps its final screenshot (below).
    trace: { mode: 'retain-on-failure', screenshots: false },
    screenshot: 'only-on-failure',
  },
  projects: labs.map((lab) => ({
    name: lab.name,
    testMatch: lab.testMatch,
    testIgnore: lab.testIgnore,
    workers: 1,
    use: { baseURL: `http://127.0.0.1:${lab.port}` },
  })),
  webServer: labs.map((lab) => {
    const labDir = join(dataDir, lab.name);
    mkdirSync(labDir, { recursive: true });
    return {
      command: `${LAB_COMMAND} --port ${lab.port} --offline --data-dir ${labDir}`,
      url: `http://127.0.0.1:${lab.port}/api/health`,
      reuseExistingServer: false,
      timeout: 120_000,
      stdout: 'pipe' as const,
      stderr: 'pipe' as const,
    };
  }),
});
