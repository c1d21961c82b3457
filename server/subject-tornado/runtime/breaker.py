"""
A circuit breaker for blocking pymongo (the Node subject's blocking/syncFacade.ts has the
same one). A blocking call to a dead database holds the IOLoop until blockingTimeoutMs; with
requests queued behind it, each would wait out its own timeout in turn, and the last one
would hear of the outage many seconds late. So after a call finds the database unreachable
(or times out), calls for the next COOLDOWN_MS fail at once with 503; then one call tries
again with the full timeout. A slow but working database never trips it.

The breaker's own refusal is not a new failure: counted as one, every request of a client
asking more often than once per COOLDOWN_MS kept it open, and no call ever tried again.
"""
import time

from .errors import DbError

COOLDOWN_MS = 1000


class BreakerOpen(DbError):
    """The refusal of a call the breaker did not let through."""

    def __init__(self):
        super().__init__('unavailable', 'the database was unreachable a moment ago; trying again shortly')


class Breaker:
    def __init__(self):
        self._open_until = 0.0

    def check(self):
        """Raises the 503's error while open."""
        if time.monotonic() < self._open_until:
            raise BreakerOpen()

    def record(self, error):
        """After a call: an unreachable or silent database opens the breaker."""
        if error is not None and not isinstance(error, BreakerOpen) and error.kind in ('unavailable', 'timeout'):
            self._open_until = time.monotonic() + COOLDOWN_MS / 1000
