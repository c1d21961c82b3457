/**
 * Which handler file serves which route in which mode. The executor (blocking mode with
 * executorThreads) runs the non-blocking files: like Tornado's run_in_executor, the
 * handler awaits a blocking call that runs on another thread.
 */
import type { SubjectRouteName } from '../../../common/config';
import type { BlockingContext, CallbackContext, NonblockingContext } from './context';
import { createUser as createUserBlocking } from './createUser.blocking';
import { createUser as createUserNonblocking } from './createUser.nonblocking';
import { getUser as getUserBlocking } from './getUser.blocking';
import { getUserCallback } from './getUser.callback';
import { getUser as getUserNonblocking } from './getUser.nonblocking';
import { longPoll as longPollBlocking } from './longPoll.blocking';
import { longPoll as longPollNonblocking } from './longPoll.nonblocking';
import { listByCity as listByCityBlocking } from './listByCity.blocking';
import { listByCity as listByCityNonblocking } from './listByCity.nonblocking';
import { stats as statsBlocking } from './stats.blocking';
import { stats as statsNonblocking } from './stats.nonblocking';

type DataRoute = Exclude<SubjectRouteName, 'getUserCallback'>;

export const blockingHandlers: Record<DataRoute, (ctx: BlockingContext) => void> = {
  getUser: getUserBlocking,
  createUser: createUserBlocking,
  listByCity: listByCityBlocking,
  stats: statsBlocking,
  longPoll: longPollBlocking,
};

export const nonblockingHandlers: Record<DataRoute, (ctx: NonblockingContext) => Promise<void>> = {
  getUser: getUserNonblocking,
  createUser: createUserNonblocking,
  listByCity: listByCityNonblocking,
  stats: statsNonblocking,
  longPoll: longPollNonblocking,
};

export const callbackHandler: (ctx: CallbackContext) => void = getUserCallback;

export { HANDLER_FILES } from './files';
