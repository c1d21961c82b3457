"""
The trace around every database call, whatever the mode (the Node subject's data/dbCalls.ts):
`db.call` when the handler asks, `pool.wait` when nothing is free to serve it at that
moment, `db.sent` when pymongo checked a pool connection out for it (the command goes out
now), `db.reply` when the answer is back in the handler. Also counts calls in flight and
tells the process when the database stops or starts answering.
"""
import threading

USERS_COLLECTION = 'users'


class DbCall:
    def __init__(self, calls, trace):
        self._calls = calls
        self._trace = trace
        self._sent = False
        self._lock = threading.Lock()

    def sent(self, t):
        """Called by the pool listener, on whichever thread checked the connection out."""
        with self._lock:
            if self._sent:
                return
            self._sent = True
        self._trace.emit('db.sent', t=t)

    def succeeded(self):
        self._calls.in_flight -= 1
        self._trace.emit('db.reply', ok=True)
        self._calls.on_health(True, None)

    def failed(self, error):
        self._calls.in_flight -= 1
        self._trace.emit('db.reply', ok=False, error=error.message[:200])
        if error.kind in ('unavailable', 'timeout'):
            self._calls.on_health(False, error.message)
        else:
            self._calls.on_health(True, None)


class DbCalls:
    def __init__(self, on_health):
        self.in_flight = 0
        self.on_health = on_health

    def begin(self, trace, op, saturated):
        trace.emit('db.call', op=op, collection=USERS_COLLECTION)
        if saturated:
            trace.emit('pool.wait')
        self.in_flight += 1
        return DbCall(self, trace)
