/**
 * The handlers a subject process serves: the project's files, with any edited versions
 * (compiled by the lab into its data dir) imported in their place.
 */
import { pathToFileURL } from 'node:url';
import type { SubjectRouteName } from '../../../common/config';
import { exportNameOf } from './catalog';
import type { BlockingContext, CallbackContext, NonblockingContext } from './context';
import { blockingHandlers, callbackHandler, nonblockingHandlers } from './index';

type DataRoute = Exclude<SubjectRouteName, 'getUserCallback'>;

export interface HandlerTable {
  blocking: Record<DataRoute, (ctx: BlockingContext) => void | Promise<void>>;
  nonblocking: Record<DataRoute, (ctx: NonblockingContext) => Promise<void>>;
  callback: (ctx: CallbackContext) => void;
  /** Handler names (`getUser.nonblocking`) running an edited version. */
  edited: ReadonlySet<string>;
}

export const originalHandlers: HandlerTable = {
  blocking: blockingHandlers,
  nonblocking: nonblockingHandlers,
  callback: callbackHandler,
  edited: new Set(),
};

/** `overrides` maps a handler file (`getUser.nonblocking.ts`) to its compiled module's path. */
export async function loadHandlers(overrides: Readonly<Record<string, string>> = {}): Promise<HandlerTable> {
  const edited = new Set<string>();
  const table: HandlerTable = { blocking: { ...blockingHandlers }, nonblocking: { ...nonblockingHandlers }, callback: callbackHandler, edited };
  for (const [file, modulePath] of Object.entries(overrides)) {
    const module = (await import(pathToFileURL(modulePath).href)) as Record<string, unknown>;
    const name = exportNameOf(file);
    const handler = module[name];
    if (typeof handler !== 'function') throw new Error(`${file} does not export a function named ${name}`);
    const [route, style] = file.split('.') as [DataRoute, string];
    if (style === 'callback') table.callback = handler as HandlerTable['callback'];
    else if (style === 'blocking') table.blocking[route] = handler as HandlerTable['blocking'][DataRoute];
    else table.nonblocking[route] = handler as HandlerTable['nonblocking'][DataRoute];
    edited.add(file.replace(/\.ts$/, ''));
  }
  return table;
}
