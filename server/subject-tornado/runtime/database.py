"""
The subject's MongoDB clients, one per mode, and the pool listener behind the trace.

- blocking: pymongo's MongoClient, called inside the handler (the IOLoop waits);
- blocking + executorThreads: the same client, called on a ThreadPoolExecutor and awaited;
- non-blocking: PyMongo's native AsyncMongoClient when pymongo >= 4.9 is installed, else
  Motor, which runs pymongo on a thread pool of its own and hands the loop a Future.

Which request a pool event belongs to: the DB call in flight is kept in a ContextVar.
Motor and our executor copy the context into the thread that runs pymongo, so pymongo's
ConnectionPoolListener, called on that thread at checkout, finds the call it serves.
"""
import contextvars
import threading

import pymongo
from pymongo import MongoClient, monitoring

from .clock import now

CURRENT_CALL = contextvars.ContextVar('lab_db_call', default=None)
PYMONGO_VERSION = tuple(int(part) for part in pymongo.version.split('.')[:2] if part.isdigit())
HAS_ASYNC_PYMONGO = PYMONGO_VERSION >= (4, 9)


def async_driver_label():
    if HAS_ASYNC_PYMONGO:
        return f'PyMongo {pymongo.version} AsyncMongoClient (native asyncio)'
    import motor
    return f'Motor {motor.version} (pymongo on a thread pool)'


class PoolWatch(monitoring.ConnectionPoolListener):
    """Counts connections in use and checkouts waiting; stamps db.sent at checkout."""

    def __init__(self):
        self._lock = threading.Lock()
        self.in_use = 0
        self.waiting = 0

    def _add(self, in_use, waiting):
        with self._lock:
            self.in_use += in_use
            self.waiting += waiting

    def connection_check_out_started(self, event):
        self._add(0, 1)

    def connection_checked_out(self, event):
        self._add(1, -1)
        call = CURRENT_CALL.get()
        if call is not None:
            call.sent(now())

    def connection_check_out_failed(self, event):
        self._add(0, -1)

    def connection_checked_in(self, event):
        self._add(-1, 0)

    # The rest of the pool's life is not part of the trace.
    def pool_created(self, event):
        pass

    def pool_ready(self, event):
        pass

    def pool_cleared(self, event):
        pass

    def pool_closed(self, event):
        pass

    def connection_created(self, event):
        pass

    def connection_ready(self, event):
        pass

    def connection_closed(self, event):
        pass


def client_options(config, watch, blocking):
    latency = config['dbLatencyMs']
    timeout = config['blockingTimeoutMs']
    options = {
        'maxPoolSize': config['poolSize'],
        # One address: the latency proxy. Discovering other members would bypass it.
        'directConnection': True,
        'serverSelectionTimeoutMS': 1500 + 2 * latency,
        'connectTimeoutMS': 10_000,
        'socketTimeoutMS': 30_000,
        # One handler call = one round trip in the trace; a silent retry would hide a failure.
        'retryReads': False,
        'retryWrites': False,
        'appname': 'event-loop-lab-subject-tornado',
        'event_listeners': [watch],
    }
    if blocking:
        # A blocking call must give up in time (blockingTimeoutMs), so a dead database
        # gives 503 instead of freezing the loop for good.
        options['serverSelectionTimeoutMS'] = min(timeout, options['serverSelectionTimeoutMS'])
        options['socketTimeoutMS'] = timeout
        options['waitQueueTimeoutMS'] = timeout
        options['connectTimeoutMS'] = min(timeout, 10_000)
    if PYMONGO_VERSION >= (4, 0):
        # pymongo 4 opens at most 2 connections at a time by default; the pool size, not
        # the connection ramp, should limit concurrency.
        options['maxConnecting'] = config['poolSize']
    return options


def blocking_client(uri, config, watch):
    return MongoClient(uri, **client_options(config, watch, blocking=True))


def async_client(uri, config, watch):
    if HAS_ASYNC_PYMONGO:
        from pymongo import AsyncMongoClient
        return AsyncMongoClient(uri, **client_options(config, watch, blocking=False))
    from motor.motor_asyncio import AsyncIOMotorClient
    return AsyncIOMotorClient(uri, **client_options(config, watch, blocking=False))
