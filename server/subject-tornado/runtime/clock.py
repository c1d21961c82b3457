"""
The lab's one clock, as Node's `performance.timeOrigin + performance.now()`: epoch
milliseconds read once at start, then advanced by a monotonic counter, so timestamps from
this process and the lab's Node processes compare.
"""
import time

_ORIGIN_MS = time.time() * 1000 - time.perf_counter() * 1000


def now():
    return _ORIGIN_MS + time.perf_counter() * 1000
