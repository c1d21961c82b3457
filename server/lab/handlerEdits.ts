/**
 * Edited handler sources, kept in the data dir, never in the project's files, so they survive
 * a lab restart until reset: the Node subject's in `<dataDir>/handlers/<file>`, the Tornado
 * subject's in `<dataDir>/handlers/tornado/<file>`.
 *
 * Each Node edit is compiled to a module under `<dataDir>/handlers/compiled/`, named by its
 * hash, for the subject to import. A Tornado edit is compiled by the lab's Python (syntax only:
 * nothing runs) and written to `<dataDir>/handlers/tornado/staged/`, named by its hash; the
 * Tornado subject imports it by path as the module the project's file would be.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Runtime } from '../../common/knobs';
import type { HandlerFile, HandlerVersion } from '../../common/handlers';
import { handlerFiles, isHandlerFile, originalSource, sourceHash } from '../subject/handlers/catalog';
import { type CompileResult, compileHandler } from '../subject/handlers/compile';
import {
  checkPythonSyntax,
  isTornadoHandlerFile,
  originalTornadoSource,
  tornadoHandlerFiles,
} from '../subject-tornado/handlerFiles';

/** The runtime a handler file belongs to, by its name; undefined for a file of neither. */
export function runtimeOfFile(file: string): Runtime | undefined {
  if (isHandlerFile(file)) return 'node';
  if (isTornadoHandlerFile(file)) return 'tornado';
  return undefined;
}

/** The Python that checks a Tornado edit (the one the lab found), or why there is none. */
export type FindPython = () => Promise<{ python: string } | { reason: string }>;

export class HandlerEdits {
  private readonly sources = new Map<string, string>();
  /** file → the module the subject imports (compiled .cjs for Node, staged .py for Tornado). */
  private readonly compiled = new Map<string, string>();
  private readonly dir: string;
  private readonly compiledDir: string;
  private readonly tornadoDir: string;
  private readonly stagedDir: string;

  constructor(
    dataDir: string,
    private readonly log: (line: string) => void = () => {},
    private readonly findPython: FindPython = () => Promise.resolve({ reason: 'no Python was looked for' }),
  ) {
    this.dir = path.join(dataDir, 'handlers');
    this.compiledDir = path.join(this.dir, 'compiled');
    this.tornadoDir = path.join(this.dir, 'tornado');
    this.stagedDir = path.join(this.tornadoDir, 'staged');
  }

  /** Loads the edits a previous lab left; one that no longer compiles is set aside with a log line. */
  async open(): Promise<void> {
    await rm(this.compiledDir, { recursive: true, force: true });
    await rm(this.stagedDir, { recursive: true, force: true });
    await mkdir(this.compiledDir, { recursive: true });
    await mkdir(this.stagedDir, { recursive: true });
    const nodeFiles = (await readdir(this.dir)).filter(isHandlerFile);
    const tornadoFiles = (await readdir(this.tornadoDir)).filter(isTornadoHandlerFile);
    for (const file of [...nodeFiles, ...tornadoFiles]) {
      const source = await readFile(this.savedPath(file), 'utf8');
      const staged = await this.stage(file, source).catch((error: unknown) => ({
        ok: false as const,
        error: error instanceof Error ? error.message : String(error),
        line: 1,
        column: 1,
      }));
      if (!staged.ok) {
        this.log(
          `handlers: the edited ${file} no longer compiles (${staged.error}, line ${staged.line}); serving the original`,
        );
        continue;
      }
      this.sources.set(file, source);
      this.compiled.set(file, staged.modulePath);
    }
  }

  private savedPath(file: string): string {
    return path.join(runtimeOfFile(file) === 'tornado' ? this.tornadoDir : this.dir, file);
  }

  /** Compiles a source and writes its module; nothing is served or kept until `commit`. */
  async stage(
    file: string,
    source: string,
  ): Promise<Exclude<CompileResult, { ok: true }> | { ok: true; modulePath: string }> {
    if (runtimeOfFile(file) === 'tornado') {
      const found = await this.findPython();
      if (!('python' in found)) throw new Error(`no Python to check ${file} with: ${found.reason}`);
      const checked = await checkPythonSyntax(found.python, file, source);
      if (!checked.ok) return checked;
      const modulePath = path.join(this.stagedDir, `${file.replace(/\.py$/, '')}-${sourceHash(source)}.py`);
      await writeFile(modulePath, source);
      return { ok: true, modulePath };
    }
    const result = await compileHandler(file, source);
    if (!result.ok) return result;
    const modulePath = path.join(this.compiledDir, `${file.replace(/\.ts$/, '')}-${sourceHash(source)}.cjs`);
    await writeFile(modulePath, result.code);
    return { ok: true, modulePath };
  }

  /**
   * The overrides the subjects serve (file → module), optionally with one change. Node files
   * end in .ts, Tornado files in .py: the supervisor gives each subject its own.
   */
  overrides(change?: { file: string; modulePath: string | undefined }): Record<string, string> {
    const map = Object.fromEntries(this.compiled);
    if (change?.modulePath) map[change.file] = change.modulePath;
    else if (change) delete map[change.file];
    return map;
  }

  async commit(file: string, source: string, modulePath: string): Promise<void> {
    await writeFile(this.savedPath(file), source);
    this.sources.set(file, source);
    this.compiled.set(file, modulePath);
  }

  async reset(file: string): Promise<void> {
    await rm(this.savedPath(file), { force: true });
    this.sources.delete(file);
    this.compiled.delete(file);
  }

  get(file: string): HandlerFile {
    const runtime = runtimeOfFile(file) ?? 'node';
    const edited = this.sources.get(file);
    const source = edited ?? (runtime === 'tornado' ? originalTornadoSource(file) : originalSource(file));
    return { file, runtime, source, edited: edited !== undefined, hash: sourceHash(source) };
  }

  /** Every handler file of a runtime. */
  list(runtime: Runtime = 'node'): HandlerFile[] {
    return (runtime === 'tornado' ? tornadoHandlerFiles : handlerFiles).map((file) => this.get(file));
  }

  /** What the trace records for a run: every file's hash, and the source of the edited ones. */
  versions(runtime: Runtime = 'node'): HandlerVersion[] {
    return this.list(runtime).map(({ file, hash, edited, source }) =>
      edited ? { file, hash, source } : { file, hash },
    );
  }
}
