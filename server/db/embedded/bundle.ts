/**
 * The embedded server's entry (cli.ts) compiled once per lab process into one plain
 * JavaScript file, so that bringing a killed database back does not pay for tsx: through
 * tsx the server takes 1.5 to 2.5 s to start on a busy two-core machine, compiled under 0.5 s.
 * If the build fails, the server starts through tsx as before (slower, same behaviour).
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { builtEntry, bundleFolder } from '../../launch';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));

let built: Promise<string | undefined> | undefined;

/** Compiles an embedded server's cli.ts (this tree's, or another revision's for the bench) into `outdir`/embedded.mjs. */
export async function compileEmbedded(cli: string, outdir: string, sourcemap = false): Promise<string> {
  const { build: esbuild } = await import('esbuild');
  await esbuild({
    entryPoints: { embedded: cli },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    sourcemap,
    // Modules loaded on demand with createRequire(import.meta.url) resolve from the sources' folder.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(cli).href) },
    banner: {
      js: "import { createRequire as __labRequire } from 'node:module'; const require = __labRequire(import.meta.url);",
    },
  });
  return path.join(outdir, 'embedded.mjs');
}

async function build(): Promise<string> {
  const { outdir, sourcemap } = bundleFolder('event-loop-lab-db-');
  return compileEmbedded(CLI, outdir, sourcemap);
}

/** The compiled entry (built on first use, then shared), or undefined to start through tsx. */
export function embeddedBundle(): Promise<string | undefined> {
  // `npm start` from the ahead-of-time build: its bundle was checked against the sources at start.
  const prebuilt = builtEntry('embedded');
  if (prebuilt) return Promise.resolve(prebuilt);
  built ??= build().catch((error: unknown) => {
    process.stderr.write(
      `[embedded-mongo] could not compile the server (${error instanceof Error ? error.message : String(error)}); restarts go through tsx\n`,
    );
    return undefined;
  });
  return built;
}
