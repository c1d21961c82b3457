/**
 * The handler files a learner may edit, what each must export, and the hash that names a
 * version of one. Read by the lab (the handlers API, the trace) and by the subject's loader.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HANDLER_FILES } from './files';

export const HANDLERS_DIR = new URL('./', import.meta.url);

/** Where the subject puts the `require` an edited handler uses (handlers/loader.ts, compile.ts). */
export const HANDLER_REQUIRE = 'lab.handlerRequire';

/** Every handler file, e.g. `getUser.nonblocking.ts`, sorted. */
export const handlerFiles: readonly string[] = Object.values(HANDLER_FILES)
  .flatMap((styles) => Object.values(styles) as string[])
  .sort();

export const isHandlerFile = (file: string): boolean => handlerFiles.includes(file);

/** The function a file must export: `getUser.nonblocking.ts` exports getUser, the callback file getUserCallback. */
export function exportNameOf(file: string): string {
  const [route = '', style] = file.split('.');
  return style === 'callback' ? `${route}Callback` : route;
}

/** A version's name: the first 16 hex digits of the source's SHA-256. */
export const sourceHash = (source: string): string => createHash('sha256').update(source).digest('hex').slice(0, 16);

const originals = new Map<string, string>();

/** The file as it is in the project (read once). */
export function originalSource(file: string): string {
  if (!isHandlerFile(file)) throw new Error(`${file} is not a handler file`);
  let source = originals.get(file);
  if (source === undefined) {
    source = readFileSync(new URL(file, HANDLERS_DIR), 'utf8');
    originals.set(file, source);
  }
  return source;
}
