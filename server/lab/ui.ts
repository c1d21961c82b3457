/**
 * The built UI: `npm start` serves dist/, building it first when it is missing or older
 * than its sources, so a fresh clone works with `npm install && npm start`.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** What the UI build reads: a change to any of these makes dist/ stale. */
const SOURCES = [
  'src',
  'common',
  'lessons',
  'public',
  'server/subject/handlers',
  'index.html',
  'vite.config.ts',
  'package.json',
];

async function newestMtime(target: string): Promise<number> {
  let info;
  try {
    info = await stat(target);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(target)) newest = Math.max(newest, await newestMtime(path.join(target, entry)));
  return newest;
}

export async function uiIsStale(root: string, outDir = path.join(root, 'dist')): Promise<boolean> {
  const built = await newestMtime(path.join(outDir, 'index.html'));
  if (built === 0) return true;
  let newest = 0;
  for (const source of SOURCES) newest = Math.max(newest, await newestMtime(path.join(root, source)));
  return newest > built;
}

/**
 * Returns the folder to serve, or undefined when there is no UI to serve (no index.html
 * yet, or the build failed: the API still works and the page says why).
 */
export async function ensureUiBuilt(
  root: string,
  log: (line: string) => void,
): Promise<{ dir?: string; problem?: string }> {
  const outDir = path.join(root, 'dist');
  if (!existsSync(path.join(root, 'index.html'))) {
    return existsSync(path.join(outDir, 'index.html'))
      ? { dir: outDir }
      : { problem: 'there is no index.html to build the UI from' };
  }
  if (!(await uiIsStale(root, outDir))) return { dir: outDir };
  log('building the UI (dist/ is missing or older than src/) ...');
  const started = Date.now();
  try {
    const { build } = await import('vite');
    await build({ root, logLevel: 'warn', configFile: path.join(root, 'vite.config.ts') });
  } catch (error) {
    // Vite's message is coloured for a terminal; the page shows it too.
    // eslint-disable-next-line no-control-regex
    const message = (error instanceof Error ? error.message : String(error)).replace(/\x1b\[[0-9;]*m/g, '');
    log(`the UI build failed: ${message}`);
    return { problem: `the UI build failed: ${message}` };
  }
  log(`built the UI in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { dir: outDir };
}

/** The mark the build puts in index.html (vite.config.ts); a page the lab serves is not static. */
export const STATIC_MARKER = /<meta name="lab-backend" content="static"\s*\/?>/;

/** index.html as the lab serves it: the same page, without the static site's mark. */
export async function labIndexHtml(uiDir: string): Promise<string> {
  return (await readFile(path.join(uiDir, 'index.html'), 'utf8')).replace(
    STATIC_MARKER,
    '<meta name="lab-backend" content="lab">',
  );
}
