import { describe, expect, it } from 'vitest';
import { findMarkers, markedLines } from '../../../src/code/markers';

const handler = `export async function getUser({ step, users }) {
  step('parse');
  const username = parse();

  step('query');
  const user = await users.findOne({ username });

  step('respond');
  send(user);
}`;

const callback = `export function getUserCallback({ step, users }) {
  step('query');
  users.findOne({ username }, (error, user) => {
    step('callback');
    if (error) return sendError(res, error);

    step('respond');
    send(user);
  });
}`;

const python = `class UserHandler(tornado.web.RequestHandler):
    # step: handler
    def get(self, username):
        db.users.find_one({'username': username},  # step: fix
                          callback=self._on_user)

    def _on_user(self, user, error):  # step: fix
        self.finish()
`;

const lines = (set: Set<number>) => [...set].sort((a, b) => a - b);

describe('marked lines', () => {
  it('marks a step from its marker to the line before the next marker, without trailing blanks', () => {
    expect(lines(markedLines(handler, 'call', ['query']))).toEqual([5, 6]);
  });

  it('ends the last step where its block closes', () => {
    expect(lines(markedLines(handler, 'call', ['respond']))).toEqual([8, 9]);
  });

  it('ends a step inside a callback where the callback closes, and stops the outer step at the inner marker', () => {
    expect(lines(markedLines(callback, 'call', ['respond']))).toEqual([7, 8]);
    expect(lines(markedLines(callback, 'call', ['query']))).toEqual([2, 3]);
    expect(lines(markedLines(callback, 'call', ['callback']))).toEqual([4, 5]);
  });

  it('marks several steps at once and nothing for a marker that is not there', () => {
    expect(lines(markedLines(handler, 'call', ['parse', 'respond']))).toEqual([2, 3, 8, 9]);
    expect(markedLines(handler, 'call', ['cpu']).size).toBe(0);
  });

  it('marks a trailing Python marker as one line, and a comment marker down to the end of its block', () => {
    expect(lines(markedLines(python, 'comment', ['fix']))).toEqual([4, 7]);
    expect(lines(markedLines(python, 'comment', ['handler']))).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('lists markers with their line numbers', () => {
    expect(findMarkers(handler, 'call')).toEqual([
      { name: 'parse', line: 2 },
      { name: 'query', line: 5 },
      { name: 'respond', line: 8 },
    ]);
    expect(findMarkers(python, 'comment').map((m) => m.name)).toEqual(['handler', 'fix', 'fix']);
  });
});
