"""
The lab's one clock (common/traceBasics.ts): epoch milliseconds as the lab reads them, the same
in every process of one lab. The lab hands its wall-minus-monotonic anchor to the processes it
starts (EVENT_LOOP_LAB_CLOCK); time.monotonic is the monotonic clock Node's process.hrtime
reads, so this process's timestamps and the lab's compare even after a laptop's sleep or a
clock step between their starts. Started alone, it anchors itself as Node would.
"""
import os
import time


def _anchor_ms():
    try:
        anchor = float(os.environ['EVENT_LOOP_LAB_CLOCK'])
        if anchor == anchor and abs(anchor) != float('inf'):
            return anchor
    except (KeyError, ValueError):
        pass
    return time.time() * 1000 - time.monotonic() * 1000


_ANCHOR_MS = _anchor_ms()


def now():
    return _ANCHOR_MS + time.monotonic() * 1000
