/** Handler source files per route and style (no imports: the lab reads this without loading handlers). */
export const HANDLER_FILES = {
  getUser: { blocking: 'getUser.blocking.ts', nonblocking: 'getUser.nonblocking.ts' },
  getUserCallback: { callback: 'getUser.callback.ts' },
  createUser: { blocking: 'createUser.blocking.ts', nonblocking: 'createUser.nonblocking.ts' },
  listByCity: { blocking: 'listByCity.blocking.ts', nonblocking: 'listByCity.nonblocking.ts' },
  stats: { blocking: 'stats.blocking.ts', nonblocking: 'stats.nonblocking.ts' },
  longPoll: { blocking: 'longPoll.blocking.ts', nonblocking: 'longPoll.nonblocking.ts' },
} as const;
