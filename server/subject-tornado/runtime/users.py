"""
What a handler's `self.users` is: the `users` collection, bound to the request's trace,
with the same methods in every mode (find_one, insert_one, find, aggregate, and the long
poll's find_newer and wait_for_newer):

- BlockingUsers: pymongo called right here, on the IOLoop's thread. Nothing else runs
  until MongoDB answers; the trace records the stop as `loop.blocked`.
- AsyncUsers: awaitable methods. Over Motor / AsyncMongoClient (non-blocking mode), or
  over pymongo handed to a ThreadPoolExecutor with IOLoop.run_in_executor (blocking mode
  with executorThreads: Tornado's own answer for a library that can only block).
- CallbackUsers: the 2010 asyncmongo API, find_one(filter, callback=...), over either.

The long poll: `wait_for_newer` on a thread (the loop's, or an executor's) asks MongoDB
again and again until a newer user exists or the time is up, holding that thread all along.
Non-blocking mode turns it into a waiter record instead (PublishingUsers, runtime/updates.py).
"""
import asyncio
import contextvars
import inspect
import re
import time

from bson import ObjectId

from tornado.ioloop import IOLoop

from .clock import now
from .database import CURRENT_CALL
from .errors import to_db_error


def plain_filter(filter):
    """Defence in depth behind the handlers' validation: no operator can reach the driver."""
    if not isinstance(filter, dict):
        raise TypeError('filter must be a dict')
    for key, value in filter.items():
        if key.startswith('$') or not isinstance(value, (str, int)):
            raise TypeError(f'filter field {key} is not a plain value')
    return filter


HEX_ID = re.compile(r'^[0-9a-f]{24}$')
# The most new users one answer carries (a waiter far behind asks again with the last id).
NEWER_LIMIT = 100
# How often a thread-held wait asks the database again, seconds.
POLL_EVERY_S = 0.05
NEWER_PROJECTION = {'username': 1, 'first_name': 1}


def newer_filter(after):
    """Defence in depth behind the handler's validation: only a 24-digit hex id becomes an ObjectId."""
    if not isinstance(after, str) or not HEX_ID.match(after):
        raise TypeError('after must be 24 lowercase hex digits')
    return {'_id': {'$gt': ObjectId(after)}}


def new_user(doc):
    return {'id': str(doc['_id']), 'username': doc['username'], 'first_name': doc['first_name']}


def wait_for_newer(collection, after, timeout_ms):
    """Polls until a user newer than `after` exists or the time is up: holds this thread."""
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        found = run_blocking(collection, 'findNewer', (after,))
        remaining = deadline - time.monotonic()
        if found or remaining <= 0:
            return found
        time.sleep(min(POLL_EVERY_S, remaining))


def run_blocking(collection, op, args):
    """One operation on a pymongo Collection, one round trip (waitForNewer: one per poll)."""
    if op == 'findOne':
        return collection.find_one(plain_filter(args[0]))
    if op == 'insertOne':
        return {'insertedId': str(collection.insert_one(dict(args[0])).inserted_id)}
    if op == 'find':
        filter, limit = args
        # batch_size = limit: the whole answer in the first reply, one round trip.
        return list(collection.find(plain_filter(filter), limit=limit, batch_size=limit))
    if op == 'aggregate':
        return list(collection.aggregate(args[0]))
    if op == 'findNewer':
        docs = collection.find(newer_filter(args[0]), NEWER_PROJECTION, sort=[('_id', 1)], limit=NEWER_LIMIT, batch_size=NEWER_LIMIT)
        return [new_user(doc) for doc in docs]
    if op == 'waitForNewer':
        return wait_for_newer(collection, *args)
    raise ValueError(f'unknown operation {op}')


async def run_async(collection, op, args):
    """The same operations on Motor's or PyMongo's asynchronous Collection."""
    if op == 'findOne':
        return await collection.find_one(plain_filter(args[0]))
    if op == 'insertOne':
        return {'insertedId': str((await collection.insert_one(dict(args[0]))).inserted_id)}
    if op == 'find':
        filter, limit = args
        return await collection.find(plain_filter(filter), limit=limit, batch_size=limit).to_list(limit)
    if op == 'aggregate':
        cursor = collection.aggregate(args[0])
        if inspect.isawaitable(cursor):  # AsyncMongoClient's aggregate is a coroutine, Motor's is not
            cursor = await cursor
        return await cursor.to_list(None)
    if op == 'findNewer':
        cursor = collection.find(newer_filter(args[0]), NEWER_PROJECTION, sort=[('_id', 1)], limit=NEWER_LIMIT, batch_size=NEWER_LIMIT)
        return [new_user(doc) for doc in await cursor.to_list(NEWER_LIMIT)]
    raise ValueError(f'unknown operation {op}')


class _Methods:
    def find_one(self, filter):
        return self._call('findOne', filter)

    def insert_one(self, user):
        return self._call('insertOne', user)

    def find(self, filter, limit):
        return self._call('find', filter, limit)

    def aggregate(self, pipeline):
        return self._call('aggregate', pipeline)

    def find_newer(self, after):
        return self._call('findNewer', after)

    def wait_for_newer(self, after, timeout_ms):
        return self._call('waitForNewer', after, timeout_ms)


class BlockingUsers(_Methods):
    def __init__(self, collection, calls, trace, held, breaker):
        self._collection, self._calls, self._trace, self._held, self._breaker = collection, calls, trace, held, breaker

    def _call(self, op, *args):
        call = self._calls.begin(self._trace, op, saturated=False)
        start = now()
        token = CURRENT_CALL.set(call)
        long_poll = op == 'waitForNewer'
        if long_poll:
            self._held.enter()  # the loop itself holds this waiter
        try:
            self._breaker.check()
            value = run_blocking(self._collection, op, args)
        except Exception as error:
            failure = to_db_error(error)
            self._breaker.record(failure)
            call.failed(failure)
            raise failure from error
        finally:
            if long_poll:
                self._held.leave()
            CURRENT_CALL.reset(token)
            self._trace.emit('loop.blocked', t=start, durationMs=now() - start, reason='db')
        call.succeeded()
        return value


class AsyncUsers(_Methods):
    def __init__(self, run, capacity, calls, trace):
        self._run, self._capacity, self._calls, self._trace = run, capacity, calls, trace

    async def _call(self, op, *args):
        call = self._calls.begin(self._trace, op, saturated=self._calls.in_flight >= self._capacity)
        token = CURRENT_CALL.set(call)
        try:
            value = await self._run(op, args)
        except Exception as error:
            failure = to_db_error(error)
            call.failed(failure)
            raise failure from error
        finally:
            CURRENT_CALL.reset(token)
        call.succeeded()
        return value


def on_async_driver(collection):
    return lambda op, args: run_async(collection, op, args)


def on_executor(collection, threads, held):
    def held_while_waiting(op, args):
        # A long-poll is held while its wait occupies a thread, not while it queues for one.
        if op != 'waitForNewer':
            return run_blocking(collection, op, args)
        held.enter()
        try:
            return run_blocking(collection, op, args)
        finally:
            held.leave()

    def run(op, args):
        # copy_context: the pool listener, on the executor's thread, must see this call.
        context = contextvars.copy_context()
        return IOLoop.current().run_in_executor(threads, context.run, held_while_waiting, op, args)
    return run


class PublishingUsers:
    """Non-blocking mode's users with the long poll wired in: `wait_for_newer` becomes a
    waiter record (no query until a publish), and a successful `insert_one` is a publish
    that answers every waiter (the Node subject's updates/publishing.ts)."""

    def __init__(self, users, waiters):
        self._users, self._waiters = users, waiters

    def __getattr__(self, name):
        return getattr(self._users, name)

    async def wait_for_newer(self, after, timeout_ms):
        return await self._waiters.wait(after, timeout_ms, self._users.find_newer)

    async def insert_one(self, user):
        result = await self._users.insert_one(user)
        self._waiters.publish(result['insertedId'])
        return result


class CallbackUsers:
    """find_one(filter, callback=...) calls back callback(response, error), as asyncmongo did.

    Over BlockingUsers the callback runs before find_one returns: a callback alone does
    not make code non-blocking; the driver underneath has to be.
    """

    def __init__(self, users, on_throw):
        self._users, self._on_throw = users, on_throw

    def find_one(self, filter, callback):
        if isinstance(self._users, BlockingUsers):
            try:
                response = self._users.find_one(filter)
            except Exception as error:
                return self._deliver(callback, None, error)
            return self._deliver(callback, response, None)
        future = asyncio.ensure_future(self._users.find_one(filter))
        future.add_done_callback(lambda done: self._deliver(
            callback, None if done.exception() else done.result(), done.exception()))

    def _deliver(self, callback, response, error):
        try:
            callback(response, error)
        except Exception as thrown:  # nobody up the stack is left to catch it
            self._on_throw(thrown)


