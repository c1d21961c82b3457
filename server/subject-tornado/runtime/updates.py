"""
The long poll behind GET /updates (the Node subject's server/subject/updates/): how many
long-polls the process holds, and the non-blocking way to hold them.

HeldCount: the C10K figure, counted where the holding happens (a waiter record, a busy
executor thread, or the IOLoop itself). A sample reports the most held at once since the
previous sample: a blocked loop cannot take a sample, and when it can, its waiter is gone.

Waiters: Tornado's chat demo. A waiting request is a Future in a set (its socket stays
open in the kernel): no thread, no query. A new user created through this process
(POST /users) is a publish: it wakes every waiter at once with ONE database read of the
newer users, shared by all of them, each keeping the ones newer than its own cursor.
The process learns of new users from its own inserts only: a cursor older than the newest
user it has published is answered at once (it missed one).
"""
import asyncio
import threading


class HeldCount:
    def __init__(self):
        self._lock = threading.Lock()  # executor threads enter and leave too
        self._held = 0
        self._peak = 0

    def enter(self):
        with self._lock:
            self._held += 1
            self._peak = max(self._peak, self._held)

    def leave(self):
        with self._lock:
            self._held = max(0, self._held - 1)

    def take_peak(self):
        """The most held at once since the last call (the count now if nothing changed)."""
        with self._lock:
            peak, self._peak = self._peak, self._held
        return peak


def newer(id, than):
    """Ids are 24 lowercase hex digits, so string order is ObjectId order (time first)."""
    return id > than


class _Waiter:
    __slots__ = ('after', 'read', 'future', 'timer')

    def __init__(self, after, read, future):
        self.after, self.read, self.future, self.timer = after, read, future, None


class Waiters:
    def __init__(self, held):
        self._held = held
        self._waiting = set()
        self._newest_published = ''

    async def wait(self, after, timeout_ms, read):
        """The users newer than `after`: at the next publish, or [] after timeout_ms.
        `read(after)` is one database read, traced on the request that makes it."""
        if newer(self._newest_published, after):
            return await read(after)
        loop = asyncio.get_running_loop()
        waiter = _Waiter(after, read, loop.create_future())
        waiter.timer = loop.call_later(timeout_ms / 1000, self._time_out, waiter)
        self._waiting.add(waiter)
        self._held.enter()
        try:
            return await waiter.future
        finally:
            # The client went away, or the answer came: either way this waiter is done.
            self._release(waiter)

    def publish(self, inserted_id):
        """A user with this id was just inserted: answer every waiter."""
        if newer(inserted_id, self._newest_published):
            self._newest_published = inserted_id
        if not self._waiting:
            return
        woken = list(self._waiting)
        for waiter in woken:
            self._release(waiter)
        # One read from the oldest cursor covers every waiter; the first waiter makes it (its trace shows the query).
        oldest = min(waiter.after for waiter in woken)
        shared = asyncio.ensure_future(woken[0].read(oldest))

        def answer(done):
            for waiter in woken:
                if waiter.future.done():
                    continue
                if done.exception() is not None:
                    waiter.future.set_exception(done.exception())
                else:
                    waiter.future.set_result([user for user in done.result() if newer(user['id'], waiter.after)])

        shared.add_done_callback(answer)

    def _time_out(self, waiter):
        self._release(waiter)
        if not waiter.future.done():
            waiter.future.set_result([])

    def _release(self, waiter):
        if waiter in self._waiting:
            self._waiting.discard(waiter)
            waiter.timer.cancel()
            self._held.leave()
