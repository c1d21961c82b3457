/**
 * The Tornado subject's handler files a learner may edit (one per route and style, e.g.
 * `get_user_nonblocking.py`; not base.py or inputs.py, which every handler shares), their
 * project sources, and the syntax check an edit passes before it is served: the lab's own
 * Python compiles it in a short-lived process, so the answer is that interpreter's.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { HandlerCompileError } from '../../common/handlers';

export const TORNADO_HANDLERS_DIR = new URL('./handlers/', import.meta.url);

const HANDLER_FILE = /^[a-z_]+_(blocking|nonblocking|callback)\.py$/;

/** Every Tornado handler file, sorted. */
export const tornadoHandlerFiles: readonly string[] = readdirSync(TORNADO_HANDLERS_DIR)
  .filter((file) => HANDLER_FILE.test(file))
  .sort();

export const isTornadoHandlerFile = (file: string): boolean => tornadoHandlerFiles.includes(file);

const originals = new Map<string, string>();

/** The file as it is in the project (read once). */
export function originalTornadoSource(file: string): string {
  if (!isTornadoHandlerFile(file)) throw new Error(`${file} is not a Tornado handler file`);
  let source = originals.get(file);
  if (source === undefined) {
    source = readFileSync(new URL(file, TORNADO_HANDLERS_DIR), 'utf8');
    originals.set(file, source);
  }
  return source;
}

/** Reads the source on stdin, compiles it (nothing runs), prints the verdict as JSON. */
const CHECK = `
import json, sys
source = sys.stdin.buffer.read().decode('utf-8')
try:
    compile(source, sys.argv[1], 'exec', dont_inherit=True)
    print(json.dumps({'ok': True}))
except SyntaxError as error:
    message = f'{type(error).__name__}: {error.msg or "invalid syntax"}'
    print(json.dumps({'ok': False, 'error': message, 'line': error.lineno or 1, 'column': error.offset or 1}))
except ValueError as error:
    print(json.dumps({'ok': False, 'error': f'ValueError: {error}', 'line': 1, 'column': 1}))
`;

export type PythonCheck = { ok: true } | ({ ok: false } & HandlerCompileError);

/** Compiles `source` as `file` with `python`; a syntax error comes back with its 1-based line and column. */
export function checkPythonSyntax(python: string, file: string, source: string): Promise<PythonCheck> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      python,
      ['-I', '-c', CHECK, file],
      { timeout: 20_000, maxBuffer: 1024 * 1024, env: { PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' } },
      (error, stdout, stderr) => {
        if (error)
          return reject(
            new Error(`${python} could not check the source: ${stderr.trim().split('\n').pop() || error.message}`),
          );
        try {
          const verdict = JSON.parse(stdout) as PythonCheck;
          resolve(
            verdict.ok
              ? verdict
              : {
                  ok: false,
                  error: String(verdict.error),
                  line: Math.max(1, verdict.line),
                  column: Math.max(1, verdict.column),
                },
          );
        } catch {
          reject(new Error(`${python} answered the syntax check with ${JSON.stringify(stdout.slice(0, 200))}`));
        }
      },
    );
    child.stdin?.end(source);
  });
}
