/**
 * The Lighthouse benchmark: builds the static site (the build that knows it is static: no API call
 * and no WebSocket until the reader connects it to a lab), serves it from a plain file server, and
 * runs Lighthouse with desktop settings against '/' and '/lessons' in the system Chromium. Goals:
 * accessibility and best practices 100 (no failed request, no console error), performance >= 95.
 *
 * The machine has no internet: Chromium runs with its background networking off, and Lighthouse only
 * loads the local page. Every run has a deadline so a stuck trace never hangs `npm run bench`.
 */
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { type BenchRow, printTable } from './table';
import { CHROMIUM_ARGS, CHROMIUM_PATH, buildDistToTemp, serveStatic } from './uiServer';

const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
const GOALS: Partial<Record<(typeof CATEGORIES)[number], number>> = {
  performance: 95,
  accessibility: 100,
  'best-practices': 100,
};
const PAGES = [
  { path: '/', label: 'lab page, static build, no lab behind it' },
  { path: '/lessons', label: 'lessons page, static build, no lab behind it' },
];
const RUN_TIMEOUT_MS = 120_000;

/** A failing audit, for the report: which check, and how many elements or items it flagged. */
export interface FailedAudit {
  page: string;
  category: string;
  id: string;
  title: string;
  items: number;
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

export async function benchLighthouse(failed: FailedAudit[] = []): Promise<BenchRow[]> {
  const built = await buildDistToTemp('lab-lighthouse-bench-');
  const server = await serveStatic(built.dir);
  // chrome-launcher gives Lighthouse the remote-debugging port it drives; it kills Chromium on SIGINT too.
  const chrome = await chromeLauncher.launch({
    chromePath: CHROMIUM_PATH,
    chromeFlags: ['--headless=new', ...CHROMIUM_ARGS],
    logLevel: 'silent',
    handleSIGINT: true,
  });
  const rows: BenchRow[] = [];
  try {
    for (const page of PAGES) {
      const result = await withDeadline(
        lighthouse(
          server.url + page.path,
          {
            port: chrome.port,
            logLevel: 'error',
            output: 'json',
            onlyCategories: [...CATEGORIES],
            // Bounded waits: the page keeps retrying its WebSocket, which must not keep Lighthouse waiting.
            maxWaitForLoad: 30_000,
            maxWaitForFcp: 15_000,
          },
          desktopConfig,
        ),
        RUN_TIMEOUT_MS,
        `Lighthouse on ${page.path}`,
      );
      if (!result) throw new Error(`Lighthouse returned no result for ${page.path}`);
      const { lhr } = result;
      if (lhr.runtimeError) throw new Error(`Lighthouse on ${page.path}: ${lhr.runtimeError.message}`);
      for (const id of CATEGORIES) {
        const category = lhr.categories[id];
        if (!category) continue;
        // A null score means Lighthouse could not score the category (an error in one of its audits).
        const score = category.score === null ? Number.NaN : Math.round(category.score * 100);
        const goal = GOALS[id];
        rows.push({
          name: `${id}: ${page.label}`,
          value: score,
          unit: '/ 100',
          ...(goal === undefined ? {} : { goal: goal === 100 ? '= 100' : `>= ${goal}`, ok: score >= goal }),
        });
        for (const ref of category.auditRefs) {
          const audit = lhr.audits[ref.id];
          if (!audit || ref.weight === 0 || audit.score === null || audit.score >= 0.9) continue;
          const details = audit.details as { items?: unknown[] } | undefined;
          failed.push({
            page: page.path,
            category: id,
            id: ref.id,
            title: audit.title,
            items: details?.items?.length ?? 0,
          });
        }
      }
      const lcp = lhr.audits['largest-contentful-paint']?.numericValue;
      const tbt = lhr.audits['total-blocking-time']?.numericValue;
      if (lcp !== undefined) rows.push({ name: `largest contentful paint: ${page.path}`, value: lcp, unit: 'ms' });
      if (tbt !== undefined) rows.push({ name: `total blocking time: ${page.path}`, value: tbt, unit: 'ms' });
    }
  } finally {
    chrome.kill();
    await server.close();
    built.remove();
  }
  return rows;
}

// `tsx bench/lighthouse.ts` runs it alone, and lists the audits that lost points.
if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const failed: FailedAudit[] = [];
  benchLighthouse(failed).then(
    (rows) => {
      printTable('lighthouse', rows);
      if (failed.length > 0) {
        console.log('\naudits below 90:');
        for (const f of failed)
          console.log(`  ${f.page} ${f.category} ${f.id}: ${f.title}${f.items ? ` (${f.items} items)` : ''}`);
      }
    },
    (error) => (console.error(error), process.exit(1)),
  );
}
