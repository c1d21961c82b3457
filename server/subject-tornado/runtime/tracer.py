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


def _writer(layout):
    """The function that writes one event of this layout as its row of numbers: (code, t, one
    number per field). Made from source, as collections.namedtuple makes its classes: an event
    then costs one call and a tuple, not a loop in Python over its fields and kinds. With the
    rows kept in a list and made an array('d') once per batch (array.extend of a tuple costs
    twice list.extend), a request's nine events cost about 8 µs, not 12 (CPython 3.11 on the
    lab's 2-core VM)."""
    values = []
    for name, kind in zip(layout['fields'], layout['kinds']):
        value = 'rid' if name == 'rid' else f'fields.get({name!r})'
        if kind == 'string':
            values.append(f'intern({value})')
        elif kind == 'boolean':
            values.append(f'(NAN if (v := {value}) is None else 1.0 if v else 0.0)')
        else:
            values.append(f'(NAN if (v := {value}) is None else v)')
    source = f"def write(t, rid, fields, intern):\n    return ({float(layout['code'])!r}, t, {', '.join(values)})\n"
    scope = {'NAN': NAN}
    exec(source, scope)
    return scope['write']


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
        self._writers = {layout['type']: _writer(layout) for layout in layouts}
        self._lock = threading.Lock()
        self._numbers = []
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
        write = self._writers[type]
        with self._lock:
            self._numbers.extend(write(t, rid, fields, self._intern))
            self._count += 1
            full = self._count >= MAX_BUFFERED_EVENTS
        if full:
            self.flush()

    def _intern(self, value):
        """A string's index in this batch's table (called with the lock held); NaN for an absent field."""
        if value is None:
            return NAN
        at = self._string_index.get(value)
        if at is None:
            at = self._string_index[value] = len(self._strings)
            self._strings.append(value)
        return at

    def flush(self):
        with self._lock:
            if self._count == 0:
                return
            numbers, strings, count = self._numbers, self._strings, self._count
            self._numbers, self._strings, self._string_index, self._count = [], [], {}, 0
        self._ship({
            'worker': self._worker,
            'count': count,
            'numbers': base64.b64encode(array('d', numbers).tobytes()).decode('ascii'),
            'strings': strings,
        })
