/**
 * The Tornado subject's circuit breaker (runtime/breaker.py), driven as BlockingUsers._call
 * drives it: check() inside the call's try, record() of whatever the call raised. Its clock
 * (time.monotonic) is replaced, so the test steps through the cool-down without waiting.
 *
 * The fault it guards against: the breaker's own refusal was recorded as a failure, so a
 * client asking more often than once per cool-down (a browser, a test polling every 250 ms)
 * kept it open for good, and a database that came back was never tried again.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { noTornado, tornado } from './python';

const RUNTIME_PARENT = fileURLToPath(new URL('../../../server/subject-tornado/', import.meta.url));

const SCRIPT = `
import json
import runtime.breaker as breaker
from runtime.errors import DbError

clock = [100.0]
breaker.time.monotonic = lambda: clock[0]
b = breaker.Breaker()

def call():
    """One blocking call as users.py makes it; the database is up unless the call fails first."""
    try:
        b.check()
        return 'tried'
    except DbError as error:
        b.record(error)
        return 'refused'

b.record(DbError('unavailable', 'connection closed'))  # the database went away
seen = []
for step in range(12):  # a request every 250 ms for 3 s
    seen.append(call())
    clock[0] += 0.25
print(json.dumps(seen))
`;

describe.skipIf(noTornado)("the Tornado subject's circuit breaker", () => {
  it('lets a call try again one cool-down after a failure, however often it is asked meanwhile', () => {
    const python = tornado.available ? tornado.python : 'python3';
    const out = execFileSync(python, ['-c', SCRIPT], { cwd: RUNTIME_PARENT, encoding: 'utf8' });
    const seen = JSON.parse(out) as string[];
    // Refused for the cool-down (1 s: the first four requests), then tried.
    expect(seen.slice(0, 4)).toEqual(['refused', 'refused', 'refused', 'refused']);
    expect(seen.slice(4)).toEqual(Array(8).fill('tried'));
  });
});
