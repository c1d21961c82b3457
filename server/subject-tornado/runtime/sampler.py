"""
Samples the loop every 25 ms, as the Node subject does: the largest loop delay since the
last sample, the loop's utilization, the pool and memory; and ships the tracer's batch every
50 ms, from the same timer.

Loop delay: a PeriodicCallback every 12.5 ms notes how late it runs. A blocked loop cannot
run it; the first beat after the block carries the delay (its length less up to one beat).
One timer does it all, as in the Node subject (server/subject/runtime/sampler.ts): each timer
wakes a sleeping process on its own, and the wake-ups, not the work, are what tracing cost
at a modest rate. A 5 ms beat, the sample's and the tracer's timers woke it ~260 times a
second; this one, 80. Utilization: the time the asyncio loop
spends waiting in its selector is idle time; the rest is the loop at work (what Node's
eventLoopUtilization measures). CPython has no cheap figure for the heap in use, so
heapUsedBytes is reported as 0.
"""
import asyncio
import os
import resource
import time

from tornado.ioloop import PeriodicCallback

BEAT_MS = 12.5
RSS_EVERY = 10
_PAGE = os.sysconf('SC_PAGE_SIZE') if hasattr(os, 'sysconf') else 4096


def _rss_bytes():
    try:
        with open('/proc/self/statm') as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _count_idle_time():
    """Wraps the loop's selector so that time spent waiting in it is counted as idle."""
    idle = [0.0]
    selector = getattr(asyncio.get_running_loop(), '_selector', None)
    if selector is None:
        return lambda: None
    counted = getattr(selector, '_lab_idle_seconds', None)
    if counted is not None:  # wrapped already, by a sampler started before this one
        return counted
    select = selector.select

    def timed_select(timeout=None):
        start = time.perf_counter()
        try:
            return select(timeout)
        finally:
            idle[0] += time.perf_counter() - start

    selector.select = timed_select
    selector._lab_idle_seconds = lambda: idle[0]
    return selector._lab_idle_seconds


def start_sampler(tracer, gauges, every_ms=25, flush_every_ms=50):
    """Returns a function that stops it (tracing can be turned off at run time)."""
    if not tracer.enabled:
        return lambda: None
    state = {'max_late_ms': 0.0, 'last_beat': time.perf_counter(), 'samples': 0, 'rss': _rss_bytes()}
    idle_seconds = _count_idle_time()
    last = {'at': time.perf_counter(), 'idle': idle_seconds()}

    def beat():
        t = time.perf_counter()
        state['max_late_ms'] = max(state['max_late_ms'], (t - state['last_beat']) * 1000 - BEAT_MS)
        state['last_beat'] = t

    def sample():
        at, idle = time.perf_counter(), idle_seconds()
        elu = 0.0
        if idle is not None and at > last['at']:
            elu = 1 - (idle - last['idle']) / (at - last['at'])
        last['at'], last['idle'] = at, idle
        state['samples'] += 1
        long_polls_waiting = gauges.long_polls_held()
        # While long-polls are held, their memory is the figure being measured: read it every sample.
        if state['samples'] % RSS_EVERY == 0 or long_polls_waiting > 0:
            state['rss'] = _rss_bytes()
        tracer.sample(
            loopDelayMaxMs=max(0.0, state['max_late_ms']),
            elu=min(1.0, max(0.0, elu)),
            poolInUse=max(0, gauges.pool_in_use()),
            poolWaiting=max(0, gauges.pool_waiting()),
            dbInFlight=max(0, gauges.db_in_flight()),
            longPollsWaiting=long_polls_waiting,
            rssBytes=state['rss'],
            heapUsedBytes=0,
        )
        state['max_late_ms'] = 0.0

    half = BEAT_MS / 2
    done = {'sampled': state['last_beat'], 'flushed': state['last_beat']}

    def heartbeat():
        beat()  # on a sampling beat, a block that ended just now is counted in this sample
        if (state['last_beat'] - done['sampled']) * 1000 >= every_ms - half:
            done['sampled'] = state['last_beat']
            sample()
        if (state['last_beat'] - done['flushed']) * 1000 >= flush_every_ms - half:
            done['flushed'] = state['last_beat']
            tracer.flush()

    timer = PeriodicCallback(heartbeat, BEAT_MS)
    timer.start()
    return timer.stop
