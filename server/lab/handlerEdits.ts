/**
 * Edited handler sources, kept in the data dir (`<dataDir>/handlers/<file>`), never in the
 * project's files, so they survive a lab restart until reset. Each edit is compiled to a
 * module under `<dataDir>/handlers/compiled/`, named by its hash, for the subject to import.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HandlerFile, HandlerVersion } from '../../common/handlers';
import { handlerFiles, isHandlerFile, originalSource, sourceHash } from '../subject/handlers/catalog';
import { type CompileResult, compileHandler } from '../subject/handlers/compile';

export class HandlerEdits {
  private readonly sources = new Map<string, string>();
  private readonly compiled = new Map<string, string>();
  private readonly dir: string;
  private readonly compiledDir: string;

  constructor(dataDir: string, private readonly log: (line: string) => void = () => {}) {
    this.dir = path.join(dataDir, 'handlers');
    this.compiledDir = path.join(this.dir, 'compiled');
  }

  /** Loads the edits a previous lab left; one that no longer compiles is set aside with a log line. */
  async open(): Promise<void> {
    await rm(this.compiledDir, { recursive: true, force: true });
    await mkdir(this.compiledDir, { recursive: true });
    for (const file of await readdir(this.dir)) {
      if (!isHandlerFile(file)) continue;
      const source = await readFile(path.join(this.dir, file), 'utf8');
      const staged = await this.stage(file, source);
      if (!staged.ok) {
        this.log(`handlers: the edited ${file} no longer compiles (${staged.error}, line ${staged.line}); serving the original`);
        continue;
      }
      this.sources.set(file, source);
      this.compiled.set(file, staged.modulePath);
    }
  }

  /** Compiles a source and writes its module; nothing is served or kept until `commit`. */
  async stage(file: string, source: string): Promise<Exclude<CompileResult, { ok: true }> | { ok: true; modulePath: string }> {
    const result = await compileHandler(file, source);
    if (!result.ok) return result;
    const modulePath = path.join(this.compiledDir, `${file.replace(/\.ts$/, '')}-${sourceHash(source)}.cjs`);
    await writeFile(modulePath, result.code);
    return { ok: true, modulePath };
  }

  /** The overrides the subject serves (file → compiled module), optionally with one change. */
  overrides(change?: { file: string; modulePath: string | undefined }): Record<string, string> {
    const map = Object.fromEntries(this.compiled);
    if (change?.modulePath) map[change.file] = change.modulePath;
    else if (change) delete map[change.file];
    return map;
  }

  async commit(file: string, source: string, modulePath: string): Promise<void> {
    await writeFile(path.join(this.dir, file), source);
    this.sources.set(file, source);
    this.compiled.set(file, modulePath);
  }

  async reset(file: string): Promise<void> {
    await rm(path.join(this.dir, file), { force: true });
    this.sources.delete(file);
    this.compiled.delete(file);
  }

  get(file: string): HandlerFile {
    const edited = this.sources.get(file);
    const source = edited ?? originalSource(file);
    return { file, runtime: 'node', source, edited: edited !== undefined, hash: sourceHash(source) };
  }

  list(): HandlerFile[] {
    return handlerFiles.map((file) => this.get(file));
  }

  /** What the trace records for a run: every file's hash, and the source of the edited ones. */
  versions(): HandlerVersion[] {
    return this.list().map(({ file, hash, edited, source }) => (edited ? { file, hash, source } : { file, hash }));
  }
}
