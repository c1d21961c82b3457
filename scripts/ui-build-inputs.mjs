// What the UI build in dist/ was made from, so a run that needs the UI (the browser tests)
// rebuilds it only when something changed since `npm ci`'s `prepare` (or the last build).
//
// The Vite build records, in dist/.build-inputs.json, every file it read (the module graph:
// sources, raw imports, the packages from node_modules), the public/ folder's files, the
// config and the lock file, each with its size and modification time, and the folders that
// hold them up to the checkout (a file added beside them, which a glob import would take,
// changes its folder's time). The build is current while every one of them is unchanged and public/ holds the same files.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const INPUTS_FILE = '.build-inputs.json';
const FORMAT = 1;
const ALWAYS = ['vite.config.ts', 'package-lock.json', 'index.html', 'scripts/ui-build-inputs.mjs'];

function print(file) {
  try {
    const info = statSync(file);
    return `${info.size}:${info.mtimeMs}`;
  } catch {
    return undefined;
  }
}

function publicFiles(root) {
  const dir = path.join(root, 'public');
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
      .sort();
  } catch {
    return [];
  }
}

/** A Vite plugin (build only) that writes the inputs file next to the build. */
export function recordBuildInputs(root = ROOT) {
  let startedAt = 0;
  let outDir = '';
  let modules = [];
  return {
    name: 'lab-build-inputs',
    apply: 'build',
    buildStart() {
      startedAt = Date.now();
    },
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    generateBundle() {
      modules = [...this.getModuleIds()];
    },
    writeBundle() {
      if (!outDir) return;
      const files = new Set(ALWAYS.map((file) => path.join(root, file)));
      for (const id of modules) {
        const file = id.split('?')[0];
        if (path.isAbsolute(file)) files.add(file);
      }
      for (const file of [...files]) {
        // Its folders up to the checkout (in node_modules only its own: npm and caches write there).
        for (let dir = path.dirname(file); dir.startsWith(`${root}${path.sep}`); dir = path.dirname(dir)) {
          files.add(dir);
          if (dir.includes(`${path.sep}node_modules${path.sep}`)) break;
        }
      }
      const inputs = {};
      for (const file of files) {
        const now = print(file);
        if (now === undefined) continue; // a virtual module
        // A file written while the build ran may be in the build in its older form.
        inputs[path.relative(root, file).split(path.sep).join('/')] =
          statSync(file).mtimeMs > startedAt ? 'changed while building' : now;
      }
      for (const file of publicFiles(root)) inputs[file] = print(path.join(root, file));
      writeFileSync(
        path.join(outDir, INPUTS_FILE),
        `${JSON.stringify({ format: FORMAT, public: publicFiles(root), inputs }, null, 1)}\n`,
      );
    },
  };
}

/** Why dist/ must be built again (undefined when it matches every file it was made from). */
export function uiBuildStale(root = ROOT, outDir = path.join(root, 'dist')) {
  let recorded;
  try {
    recorded = JSON.parse(readFileSync(path.join(outDir, INPUTS_FILE), 'utf8'));
  } catch {
    return `${path.relative(root, outDir)}/${INPUTS_FILE} is missing`;
  }
  if (recorded.format !== FORMAT) return 'the build was recorded by another version of this script';
  if (JSON.stringify(recorded.public) !== JSON.stringify(publicFiles(root))) return 'public/ holds other files';
  for (const [file, was] of Object.entries(recorded.inputs)) {
    if (print(path.join(root, file)) !== was) return `${file} changed since the build`;
  }
  return undefined;
}
