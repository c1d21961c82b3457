/**
 * Compiles an edited handler (TypeScript) to an ES module the subject can import from the
 * data dir. esbuild's transform: type annotations stripped, syntax errors with line and
 * column, an inline source map so a stack trace names the edited line. Relative imports
 * (`./respond`) are pointed at the project's handlers folder, since the compiled file
 * lives elsewhere.
 */
import { fileURLToPath } from 'node:url';
import { transform, type Message } from 'esbuild';
import { exportNameOf, HANDLERS_DIR } from './catalog';

export type CompileResult = { ok: true; code: string } | { ok: false; error: string; line: number; column: number };

/** The largest edited source the lab accepts (the originals are about 1 KB). */
export const MAX_SOURCE_BYTES = 64 * 1024;

const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']*)\2/g;

function absolute(specifier: string): string {
  const url = new URL(specifier, HANDLERS_DIR);
  if (!/\.[cm]?[jt]s$/.test(url.pathname)) url.pathname += '.ts';
  return url.href;
}

const fail = (error: string, line: number, column: number): CompileResult => ({ ok: false, error, line, column });

export async function compileHandler(file: string, source: string): Promise<CompileResult> {
  try {
    const result = await transform(source, {
      loader: 'ts',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: fileURLToPath(new URL(file, HANDLERS_DIR)),
      logLevel: 'silent',
    });
    const name = exportNameOf(file);
    // esbuild keeps the export list at the end: `export {\n  getUser\n};`
    const exportsIt = new RegExp(`export\\s*\\{[^}]*\\b${name}\\b[^}]*\\}`).test(result.code) || new RegExp(`export\\s+(?:async\\s+)?function\\s+${name}\\b`).test(result.code);
    if (!exportsIt) return fail(`${file} must export a function named ${name}`, 1, 1);
    return { ok: true, code: result.code.replace(RELATIVE_SPECIFIER, (_all, head: string, quote: string, spec: string) => `${head}${quote}${absolute(spec)}${quote}`) };
  } catch (error) {
    const first = (error as { errors?: Message[] }).errors?.[0];
    if (!first) throw error;
    // esbuild's columns are 0-based; editors count from 1.
    return fail(first.text, first.location?.line ?? 1, (first.location?.column ?? 0) + 1);
  }
}
