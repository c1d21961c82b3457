/**
 * GET /callback/users/:username, the 2010 way: asyncmongo's
 *   db.users.find_one({'username': ...}, callback=self._on_response)
 * The handler returns at once; the callback runs when the reply arrives.
 *
 * In blocking mode the same callback API is served by the synchronous facade, which calls
 * back BEFORE findOne returns: the loop is stopped all the same. A callback alone does
 * not make code non-blocking; the driver underneath has to be.
 */
import type { CallbackContext } from './context';
import { parseUsername } from './input';
import { notFound, sendError, sendGreeting } from './respond';

export function getUserCallback({ req, res, params, step, cpu, users }: CallbackContext): void {
  step('parse');
  const username = parseUsername(params.username);

  step('cpu');
  cpu();

  step('query');
  users.findOne({ username }, (error, user) => {
    step('callback');
    if (error) return sendError(res, error); // the post: raise tornado.web.HTTPError(500)

    step('respond');
    if (!user) return notFound(res, `no user named ${username}`);
    sendGreeting(req, res, user);
  });
}
