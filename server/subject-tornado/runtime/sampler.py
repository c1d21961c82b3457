"""
Samples the loop every 25 ms while it serves requests, as the Node subject does: the largest
loop delay since the last sample, the loop's utilization, the pool and memory; and ships the
tracer's batch every 50 ms, from the same timer.

Loop delay is read where the loop itself waits: the asyncio loop's selector is wrapped (as for
utilization, below), and the longest stretch between leaving the selector and coming back to
it is the longest any ready callback or socket could have waited. A block is reported at its
full length, in the first sample after it. (The Node subject cannot wrap libuv's poll, so it
times a heartbeat instead: server/subject/runtime/sampler.ts.) The beat then only has to
sample: one beat per sample, 25 ms apart while a request is in flight. A beat that wakes a
sleeping process (one holding long-polls, say) costs that process far more than the beat's
work: with a 12.5 ms beat to time the delay, the sampler alone cost about 14 ms of CPU a second
while a request was in flight, now about 9.5. (Under steady load the beats fall in wake-ups the
requests cause anyway, and per request the change is within bench/tracing.ts's noise.) While no request is
in flight the sampler rests: one beat per sample, the first 48 ms after the last busy sample,
then 96, 192 and from then on 240 ms apart (the contract: <= 50 ms while serving, <= 250 ms
idle), shipping the first at once and then at most one every 192 ms. A request's prepare()
calls `wake()` before its handler runs, so the busy beat is back within 25 ms. A beat's own
lateness is counted too (the selector's timeout is rounded, so a timer can be late with the
loop idle). Utilization: the time the asyncio loop spends waiting in its selector is idle
time; the rest is the loop at work (what Node's eventLoopUtilization measures). CPython has no
cheap figure for the heap in use, so heapUsedBytes is reported as 0.
"""
import asyncio
import os
import resource
import time

BEAT_MS = 25
# One beat per sample while resting: the first a little under the contract's 50 ms after the
# last busy sample (a sample's own work must not put the run's tail over it), each later one
# twice as long after the last, up to IDLE_MS (the contract's idle 250 ms, less a sample's
# work). The batch ships on the first rest beat (a run's last samples) and then at most one
# every REST_SHIP_MS.
REST_MS = 48
IDLE_MS = 240
REST_SHIP_MS = 4 * REST_MS


def rest_ms(rest_beats):
    """The wait before the rest beat that follows `rest_beats` rest beats: 48, 96, 192, then 240 ms."""
    return min(IDLE_MS, REST_MS * 2 ** rest_beats)
RSS_EVERY = 10
_PAGE = os.sysconf('SC_PAGE_SIZE') if hasattr(os, 'sysconf') else 4096


def _rss_bytes():
    try:
        with open('/proc/self/statm') as statm:
            return int(statm.read().split()[1]) * _PAGE
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class _LoopClock:
    """What the selector wrapper counts: seconds spent waiting in it, and the longest stretch away from it."""

    def __init__(self):
        self.idle = 0.0
        self.left_at = time.perf_counter()
        self.longest_away = 0.0

    def take_longest_away(self):
        """The longest stretch away from the selector since the last call, in seconds (then starts over)."""
        away, self.longest_away = self.longest_away, 0.0
        return away


def _loop_clock():
    """Wraps the loop's selector: time spent waiting in it is idle, and the stretches between are the loop's delay."""
    selector = getattr(asyncio.get_running_loop(), '_selector', None)
    if selector is None:
        return None
    clock = getattr(selector, '_lab_clock', None)
    if clock is not None:  # wrapped already, by a sampler started before this one
        return clock
    clock = _LoopClock()
    select = selector.select

    def timed_select(timeout=None):
        start = time.perf_counter()
        away = start - clock.left_at
        if away > clock.longest_away:
            clock.longest_away = away
        try:
            return select(timeout)
        finally:
            clock.left_at = time.perf_counter()
            clock.idle += clock.left_at - start

    selector.select = timed_select
    selector._lab_clock = clock
    return clock


class _Off:
    def wake(self):
        pass

    def stop(self):
        pass


def start_sampler(tracer, gauges, in_flight=None, every_ms=25, flush_every_ms=50):
    """Returns the sampler: wake() when a request arrives, stop() (tracing can be turned off at
    run time). in_flight(): requests being served; without it the sampler never rests."""
    if not tracer.enabled:
        return _Off()
    loop = asyncio.get_running_loop()
    state = {'max_late_ms': 0.0, 'samples': 0, 'rss': _rss_bytes()}
    clock = _loop_clock()
    if clock is not None:
        clock.take_longest_away()  # what came before this sampler is not its to report
    last = {'at': time.perf_counter(), 'idle': clock.idle if clock else None}

    def sample():
        at, idle = time.perf_counter(), clock.idle if clock else None
        if clock is not None:
            # The stretch under way counts too: a block earlier in this loop iteration is this sample's.
            away = max(clock.take_longest_away(), at - clock.left_at)
            state['max_late_ms'] = max(state['max_late_ms'], away * 1000)
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
    start = time.perf_counter()
    beat = {'due': start, 'timer': None, 'resting': False, 'rest_beats': 0, 'stopped': False}
    done = {'sampled': start, 'flushed': start}

    def schedule(t, ms):
        beat['due'] = t + ms / 1000
        beat['timer'] = loop.call_later(ms / 1000, heartbeat)

    def heartbeat():
        t = time.perf_counter()
        state['max_late_ms'] = max(state['max_late_ms'], (t - beat['due']) * 1000)
        beat['rest_beats'] = beat['rest_beats'] + 1 if beat['resting'] else 0
        if (t - done['sampled']) * 1000 >= every_ms - half:
            done['sampled'] = t
            sample()
        ship_after = REST_SHIP_MS if beat['rest_beats'] > 1 else flush_every_ms
        if (t - done['flushed']) * 1000 >= ship_after - half:
            done['flushed'] = t
            tracer.flush()
        beat['resting'] = in_flight is not None and in_flight() == 0
        if beat['resting']:
            schedule(t, max(BEAT_MS, round((done['sampled'] - t) * 1000 + rest_ms(beat['rest_beats']))))
        else:
            schedule(t, BEAT_MS)

    class Sampler:
        def wake(self):
            if not beat['resting'] or beat['stopped']:
                return
            beat['timer'].cancel()
            t = time.perf_counter()
            if t >= beat['due']:
                # A rest beat already due runs now, and goes on at the busy pace.
                heartbeat()
                return
            beat['resting'] = False
            # The rest beat may have been due sooner than a busy beat: samples stay <= 50 ms apart.
            schedule(t, min(BEAT_MS, (beat['due'] - t) * 1000))

        def stop(self):
            beat['stopped'] = True
            if beat['timer'] is not None:
                beat['timer'].cancel()

    schedule(start, BEAT_MS)
    return Sampler()
