/**
 * The handlers a subject process serves: the project's files, with any edited versions
 * (compiled by the lab into its data dir) imported in their place.
 */
import { createRequire } from 'node:module';
import type { SubjectRouteName } from '../../../common/config';
import { exportNameOf, HANDLER_REQUIRE } from './catalog';
import type { BlockingContext, CallbackContext, NonblockingContext } from './context';
import { blockingHandlers, callbackHandler, nonblockingHandlers } from './index';
import * as input from './input';
import * as respond from './respond';

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

const nodeRequire = createRequire(import.meta.url);
/** What an edited handler may import: the helpers the project's handlers use, and Node's own modules. */
const shared: Record<string, unknown> = { './input': input, './respond': respond, './context': {} };

function handlerRequire(specifier: string): unknown {
  if (specifier in shared) return shared[specifier];
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    throw new Error(
      `an edited handler may import ./input, ./respond and Node's modules (node:crypto, node:fs…), not ${specifier}`,
    );
  }
  return nodeRequire(specifier);
}

/** `overrides` maps a handler file (`getUser.nonblocking.ts`) to its compiled module's path. */
export function loadHandlers(overrides: Readonly<Record<string, string>> = {}): HandlerTable {
  const edited = new Set<string>();
  const table: HandlerTable = {
    blocking: { ...blockingHandlers },
    nonblocking: { ...nonblockingHandlers },
    callback: callbackHandler,
    edited,
  };
  (globalThis as Record<symbol, unknown>)[Symbol.for(HANDLER_REQUIRE)] = handlerRequire;
  for (const [file, modulePath] of Object.entries(overrides)) {
    const module = nodeRequire(modulePath) as Record<string, unknown>;
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
