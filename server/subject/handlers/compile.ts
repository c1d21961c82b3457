/**
 * Compiles an edited handler (TypeScript) to a CommonJS module the subject can load from
 * the data dir. esbuild's transform: type annotations stripped, syntax errors with line and
 * column, an inline source map so a stack trace names the edited line. Its `require` is the
 * subject's (handlers/loader.ts), so `./respond` and `./input` are the very modules the
 * running subject uses, whether it runs from source or from its compiled bundle.
 */
import { fileURLToPath } from 'node:url';
import { transform, type Message } from 'esbuild';
import { exportNameOf, HANDLER_REQUIRE, HANDLERS_DIR } from './catalog';

export type CompileResult = { ok: true; code: string } | { ok: false; error: string; line: number; column: number };

/** The largest edited source the lab accepts (the originals are about 1 KB). */
export const MAX_SOURCE_BYTES = 64 * 1024;

const fail = (error: string, line: number, column: number): CompileResult => ({ ok: false, error, line, column });

export async function compileHandler(file: string, source: string): Promise<CompileResult> {
  try {
    const result = await transform(source, {
      loader: 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'inline',
      sourcefile: fileURLToPath(new URL(file, HANDLERS_DIR)),
      logLevel: 'silent',
    });
    const name = exportNameOf(file);
    // esbuild lists a CommonJS module's exports as getters: `__export(x_exports, { getUser: () => getUser })`.
    if (!new RegExp(`\\b${name}: \\(\\) => `).test(result.code))
      return fail(`${file} must export a function named ${name}`, 1, 1);
    // On the first line (esbuild's helpers), so the source map's lines stay where they are.
    return {
      ok: true,
      code: `var require = globalThis[Symbol.for(${JSON.stringify(HANDLER_REQUIRE)})]; ${result.code}`,
    };
  } catch (error) {
    const first = (error as { errors?: Message[] }).errors?.[0];
    if (!first) throw error;
    // esbuild's columns are 0-based; editors count from 1.
    return fail(first.text, first.location?.line ?? 1, (first.location?.column ?? 0) + 1);
  }
}
