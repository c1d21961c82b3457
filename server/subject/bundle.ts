/**
 * The subject, its database thread and the latency proxy compiled once per lab process
 * into plain JavaScript files (dependencies included), so that starting them costs a
 * fraction of what `node --import tsx` costs: tsx transforms every file of every process
 * and thread again, and Node resolves the driver's few hundred modules one by one. With
 * 8 workers or 16 executor threads on 2 cores that was most of a 15 s restart.
 *
 * `npm start` from the ahead-of-time build (scripts/build-server.mjs) uses its bundles instead.
 * If the build fails, children start through tsx as before (slower, same behaviour).
 * LAB_SUBJECT_TSX=1 forces that, e.g. to debug with source files.
 */
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtEntry, bundleFolder } from '../launch';

export interface ChildBundle {
  subject: string;
  dbThread: string;
  proxy: string;
}

const source = (relative: string): string => fileURLToPath(new URL(relative, import.meta.url));

let built: Promise<ChildBundle | undefined> | undefined;

async function build(): Promise<ChildBundle> {
  const { build: esbuild } = await import('esbuild');
  const { outdir, sourcemap } = bundleFolder('event-loop-lab-');
  const common = { outdir, bundle: true, platform: 'node', target: 'node20', logLevel: 'silent', sourcemap } as const;
  await Promise.all([
    esbuild({
      ...common,
      entryPoints: { subject: source('./main.ts'), proxy: source('../proxy/main.ts') },
      outExtension: { '.js': '.mjs' },
      format: 'esm',
      // The driver is CommonJS: its require() calls need a real require in an ES module.
      banner: {
        js: "import { createRequire as __labRequire } from 'node:module'; const require = __labRequire(import.meta.url);",
      },
    }),
    // CommonJS, so that blocking/threadBoot.cjs can run it from V8's code cache.
    esbuild({
      ...common,
      entryPoints: { dbThread: source('./blocking/dbThread.ts') },
      outExtension: { '.js': '.cjs' },
      format: 'cjs',
    }),
  ]);
  copyFileSync(source('./blocking/threadBoot.cjs'), path.join(outdir, 'threadBoot.cjs'));
  const file = (name: string) => path.join(outdir, `${name}.mjs`);
  return { subject: file('subject'), dbThread: path.join(outdir, 'dbThread.cjs'), proxy: file('proxy') };
}

/** The compiled entries (built on first use, then shared), or undefined to start through tsx. */
export function childBundle(): Promise<ChildBundle | undefined> {
  if (process.env.LAB_SUBJECT_TSX === '1') return Promise.resolve(undefined);
  // `npm start` from the ahead-of-time build: its bundles were checked against the sources at start.
  const [subject, dbThread, proxy] = [builtEntry('subject'), builtEntry('dbThread'), builtEntry('proxy')];
  if (subject && dbThread && proxy) return Promise.resolve({ subject, dbThread, proxy });
  built ??= build().catch((error: unknown) => {
    process.stderr.write(
      `[subject] could not compile the subject (${error instanceof Error ? error.message : String(error)}); starting it through tsx\n`,
    );
    return undefined;
  });
  return built;
}
