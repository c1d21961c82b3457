"""
What a handler's `self.users` is: the `users` collection, bound to the request's trace,
with the same four methods in every mode (find_one, insert_one, find, aggregate):

- BlockingUsers: pymongo called right here, on the IOLoop's thread. Nothing else runs
  until MongoDB answers; the trace records the stop as `loop.blocked`.
- AsyncUsers: awaitable methods. Over Motor / AsyncMongoClient (non-blocking mode), or
  over pymongo handed to a ThreadPoolExecutor with IOLoop.run_in_executor (blocking mode
  with executorThreads: Tornado's own answer for a library that can only block).
- CallbackUsers: the 2010 asyncmongo API, find_one(filter, callback=...), over either.
"""
import asyncio
import contextvars
import inspect

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


def run_blocking(collection, op, args):
    """One operation on a pymongo Collection, one round trip."""
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


class BlockingUsers(_Methods):
    def __init__(self, collection, calls, trace):
        self._collection, self._calls, self._trace = collection, calls, trace

    def _call(self, op, *args):
        call = self._calls.begin(self._trace, op, saturated=False)
        start = now()
        token = CURRENT_CALL.set(call)
        try:
            value = run_blocking(self._collection, op, args)
        except Exception as error:
            failure = to_db_error(error)
            call.failed(failure)
            raise failure from error
        finally:
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


def on_executor(collection, threads):
    def run(op, args):
        # copy_context: the pool listener, on the executor's thread, must see this call.
        context = contextvars.copy_context()
        return IOLoop.current().run_in_executor(threads, context.run, run_blocking, collection, op, args)
    return run


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


