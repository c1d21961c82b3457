"""
The Tornado subject's side of the trace, in the Node subject's wire form
(server/subject/runtime/traceBatch.ts): one flat list per batch, each event written as
its type code, t, then its fields in the schema's order. The lab sends the layouts (codes
and field lists, read from common/trace.ts) in the spec, so both subjects write the same
batches and the lab unpacks them with the same code.

Events may be written from other threads (pymongo's pool listener runs on Motor's or the
executor's threads), hence the lock. Batches leave every 50 ms from the loop; in blocking
mode a batch leaves when the loop unblocks, with the times things happened.
"""
import threading

from tornado.ioloop import PeriodicCallback

from .clock import now

MAX_BUFFERED_EVENTS = 2000


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
    def __init__(self, enabled, worker, layouts, ship, flush_every_ms=50):
        self.enabled = enabled
        self._worker = worker
        self._ship = ship
        self._layouts = {layout['type']: (layout['code'], tuple(layout['fields'])) for layout in layouts}
        self._lock = threading.Lock()
        self._data = []
        self._count = 0
        self._timer = PeriodicCallback(self.flush, flush_every_ms) if enabled else None
        if self._timer:
            self._timer.start()

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
        code, names = self._layouts[type]
        row = [code, t]
        row.extend(rid if name == 'rid' else fields.get(name) for name in names)
        with self._lock:
            self._data.extend(row)
            self._count += 1
            full = self._count >= MAX_BUFFERED_EVENTS
        if full:
            self.flush()

    def flush(self):
        with self._lock:
            if self._count == 0:
                return
            data, self._data, self._count = self._data, [], 0
        self._ship({'worker': self._worker, 'data': data})
