// The lab's server compiled ahead of time: `npm install` runs this (npm's `prepare`), so
// `npm start` runs plain JavaScript instead of paying tsx's transform of every file in the
// lab and in each child process (the embedded database, the latency proxy, the subject).
//
// build/server/ holds one bundle per process and manifest.json, which lists every source
// file the bundles were made from with its size and modification time. server/start.mjs
// runs a bundle only if every listed file is unchanged; otherwise it rebuilds (or falls
// back to tsx), so an edited source never runs as old code.
//
// `node scripts/build-server.mjs` rebuilds by hand; a failed build never fails the install.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..');
export const BUILD_DIR = path.join(ROOT, 'build', 'server');
export const MANIFEST = 'manifest.json';
/** Bumped when the build's shape changes, so an older build is never taken for a current one. */
export const BUILD_FORMAT = 2;

/** Each process's entry, by the name of its bundle (`<name>.mjs`; the database thread's is `dbThread.cjs`). */
export const ENTRIES = {
  lab: 'server/cli.ts',
  embedded: 'server/db/embedded/cli.ts',
  proxy: 'server/proxy/main.ts',
  subject: 'server/subject/main.ts',
  dbThread: 'server/subject/blocking/dbThread.ts',
};

/**
 * Packages the lab's bundle leaves in node_modules: native binaries (esbuild), the dev
 * server (vite), tsx, and libraries that find files next to their own code.
 */
const LAB_EXTERNAL = [
  'vite',
  'esbuild',
  'tsx',
  'tsx/*',
  'mongodb-memory-server',
  'mongodb-memory-server-core',
  'mongodb-memory-server-core/*',
  'lightningcss',
  'fsevents',
];

/**
 * Sources find files beside themselves with `new URL('./x', import.meta.url)` (handler
 * sources, worker boot files, the Python subject). In a bundle import.meta.url is the
 * bundle's, so each source's is rewritten to its own file, relative to the bundle.
 */
function sourceUrls(outDir) {
  return {
    name: 'lab-source-urls',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?tsx?$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        let contents = await readFile(args.path, 'utf8');
        if (/import\.meta\.(dirname|filename)/.test(contents)) {
          throw new Error(
            `${path.relative(ROOT, args.path)} uses import.meta.dirname/filename; use new URL(..., import.meta.url)`,
          );
        }
        if (contents.includes('import.meta.url')) {
          const relative = path.relative(outDir, args.path).split(path.sep).join('/');
          const own = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
          // Not inside a one-line string (e.g. a banner that another build puts in a bundle).
          contents = contents.replace(/^(.*?)import\.meta\.url/gm, (match, before) =>
            [...'"\'`'].some((quote) => before.split(quote).length % 2 === 0) ? match : `${before}${own}`,
          );
        }
        return { contents, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
      });
    },
  };
}

// The driver and other dependencies are CommonJS: their require() calls need a real require in an ES module.
/** The file a bundle is written to. */
export function bundleFile(name) {
  return name === 'dbThread' ? 'dbThread.cjs' : `${name}.mjs`;
}

const BANNER =
  "import { createRequire as __labRequire } from 'node:module'; const require = __labRequire(import.meta.url);";

/**
 * Size and modification time of a file, as the manifest records them (undefined if it is
 * gone). A file modified after `since` (while it was being compiled) gets a print that
 * never matches: the bundle may hold its older text.
 */
export function fingerprint(file, since = Infinity) {
  try {
    const info = statSync(file);
    return info.mtimeMs > since ? 'changed while compiling' : `${info.size}:${info.mtimeMs}`;
  } catch {
    return undefined;
  }
}

const shown = (root, file) => path.relative(root, file).split(path.sep).join('/') || file;

/**
 * Why the build in `outDir` must not run (undefined when it matches every source it was
 * made from): missing, made by another version of this script, or a source changed.
 */
export function staleReason({ root = ROOT, outDir = BUILD_DIR } = {}) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(outDir, MANIFEST), 'utf8'));
  } catch {
    return `${shown(root, outDir)}/ is missing`;
  }
  if (manifest.format !== BUILD_FORMAT || typeof manifest.inputs !== 'object')
    return `${shown(root, outDir)}/ was made by another version of the build`;
  for (const name of Object.keys(ENTRIES)) {
    if (!existsSync(path.join(outDir, bundleFile(name))))
      return `${shown(root, outDir)}/${bundleFile(name)} is missing`;
  }
  for (const [file, print] of Object.entries(manifest.inputs)) {
    const now = fingerprint(path.join(root, file));
    if (now !== print)
      return now === undefined ? `${file} is gone since the last build` : `${file} changed since the last build`;
  }
  return undefined;
}

/**
 * Builds every bundle into a fresh folder and swaps it in, so a lab starting meanwhile
 * never sees half a build. Resolves with the build folder.
 */
export async function buildServer({ root = ROOT, outDir = BUILD_DIR } = {}) {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  const staging = `${outDir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    const common = {
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outdir: staging,
      outExtension: { '.js': '.mjs' },
      logLevel: 'silent',
      metafile: true,
      absWorkingDir: root,
      banner: { js: BANNER },
      // Relative to the final folder: the bundles run from there, not from the staging one.
      plugins: [sourceUrls(outDir)],
    };
    const pick = (names) => Object.fromEntries(names.map((name) => [name, path.join(root, ENTRIES[name])]));
    // Both settle before the staging folder can be removed: a build still running would recreate it.
    const [lab, children, thread] = (
      await Promise.allSettled([
        // Split: what the lab imports on demand (its server while the database starts, mongodb-memory-server
        // only when a mongod is found) is a chunk of its own, read when it is needed, not at start.
        build({
          ...common,
          entryPoints: pick(['lab']),
          external: LAB_EXTERNAL,
          splitting: true,
          chunkNames: 'lab-[hash]',
        }),
        build({ ...common, entryPoints: pick(['embedded', 'proxy', 'subject']) }),
        // CommonJS, so that server/subject/blocking/threadBoot.cjs can run it from V8's code cache.
        build({
          ...common,
          entryPoints: pick(['dbThread']),
          format: 'cjs',
          outExtension: { '.js': '.cjs' },
          banner: {},
        }),
      ])
    ).map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    });
    const inputs = {};
    for (const file of [lab, children, thread].flatMap((result) => Object.keys(result.metafile.inputs))) {
      // Inputs are relative to the working directory; "(disabled):..." entries are not files.
      if (file.includes(':')) continue;
      const absolute = path.resolve(root, file);
      const relative = path.relative(root, absolute).split(path.sep).join('/');
      inputs[relative] ??= fingerprint(absolute, startedAt);
    }
    // The database thread's boot script goes beside its bundle (it is not bundled: it loads the bundle).
    const threadBoot = 'server/subject/blocking/threadBoot.cjs';
    copyFileSync(path.join(root, threadBoot), path.join(staging, 'threadBoot.cjs'));
    inputs[threadBoot] = fingerprint(path.join(root, threadBoot), startedAt);
    // The bundles' dependencies are inputs too (a reinstall that changes one is a change); so is how they are built.
    inputs['scripts/build-server.mjs'] = fingerprint(path.join(root, 'scripts/build-server.mjs'), startedAt);
    writeFileSync(
      path.join(staging, MANIFEST),
      `${JSON.stringify({ format: BUILD_FORMAT, node: process.version, inputs }, null, 1)}\n`,
    );
    rmSync(outDir, { recursive: true, force: true });
    renameSync(staging, outDir);
    return outDir;
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

function warn(lines) {
  const bar = '!'.repeat(78);
  console.error(`\n${bar}\n${lines.map((l) => `!! ${l}`).join('\n')}\n${bar}\n`);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const started = Date.now();
  try {
    await buildServer();
    console.log(
      `built the server into ${path.relative(process.cwd(), BUILD_DIR) || BUILD_DIR} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } catch (error) {
    warn([
      `The server was not compiled ahead of time: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      'The install itself succeeded. `npm start` compiles it on first start, or runs it through tsx.',
    ]);
  }
}
