"""
The Tornado subject's side of the trace, in the Node subject's wire form
(server/subject/runtime/traceBatch.ts): per batch, one array of float64s and a table of its
distinct strings. Each event is written as its type code, t, then one number per field in the
schema's order: a string as its index in the table, a boolean as 1 or 0, an absent field as
NaN. The lab sends the layouts (codes, fields and their kinds, read from common/trace.ts) in
the spec, so both subjects write the same batches and the lab unpacks them with the same
code. The channel speaks JSON, so the numbers travel as the base64 of their bytes (machine
byte order: the lab runs on this machine): one string, where a JSON list would spell out
every float.

Events may be written from other threads (pymongo's pool listener runs on Motor's or the
executor's threads), hence the lock. Batches leave every 50 ms from the loop (the sampler's
timer ships them: runtime/sampler.py); in blocking mode a batch leaves when the loop
unblocks, with the times things happened.
"""
import base64
import threading
from array import array

from tornado.ioloop import PeriodicCallback

from .clock import now

MAX_BUFFERED_EVENTS = 2000
NAN = float('nan')


class RequestTrace:
    def __init__(self, tracer, rid):
        self.rid = rid
        self._tracer = tracer

    def emit(self, type, t=None, **fields):
        self._tracer.append(type, now() if t is None else t, self.rid, fields)


class _Off:
    def emit(self, type, t=None, **fields):
        pass


class Tracer:
    def __init__(self, enabled, worker, layouts, ship, flush_every_ms=0):
        """flush_every_ms: 0 ships only when told (flush) or full; the sampler ships on its own timer."""
        self.enabled = enabled
        self._worker = worker
        self._ship = ship
        self._layouts = {
            layout['type']: (float(layout['code']), tuple(zip(layout['fields'], layout['kinds'])))
            for layout in layouts
        }
        self._lock = threading.Lock()
        self._numbers = array('d')
        self._strings = []
        self._string_index = {}
        self._count = 0
        self._timer = PeriodicCallback(self.flush, flush_every_ms) if flush_every_ms > 0 else None
        if enabled and self._timer:
            self._timer.start()

    def set_enabled(self, on):
        """Turns tracing on or off in the running process (bench/tracing.ts compares both sides
        in one warm process); what is buffered ships first. The lab restarts the subject instead."""
        if on == self.enabled:
            return
        self.flush()
        self.enabled = on
        if self._timer is None:
            return
        if on:
            self._timer.start()
        else:
            self._timer.stop()

    def request(self, rid):
        if not self.enabled:
            off = _Off()
            off.rid = rid
            return off
        return RequestTrace(self, rid)

    def sample(self, **values):
        if self.enabled:
            self.append('sample', now(), None, values)

    def append(self, type, t, rid, fields):
        code, layout = self._layouts[type]
        row = [code, t]
        with self._lock:
            index = self._string_index
            for name, kind in layout:
                value = rid if name == 'rid' else fields.get(name)
                if value is None:
                    row.append(NAN)
                elif kind == 'string':
                    at = index.get(value)
                    if at is None:
                        at = index[value] = len(self._strings)
                        self._strings.append(value)
                    row.append(at)
                elif kind == 'boolean':
                    row.append(1.0 if value else 0.0)
                else:
                    row.append(value)
            self._numbers.extend(row)
            self._count += 1
            full = self._count >= MAX_BUFFERED_EVENTS
        if full:
            self.flush()

    def flush(self):
        with self._lock:
            if self._count == 0:
                return
            numbers, strings, count = self._numbers, self._strings, self._count
            self._numbers, self._strings, self._string_index, self._count = array('d'), [], {}, 0
        self._ship({
            'worker': self._worker,
            'count': count,
            'numbers': base64.b64encode(numbers.tobytes()).decode('ascii'),
            'strings': strings,
        })
