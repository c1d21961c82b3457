"""
How the subject reaches MongoDB in the configured mode (the Node subject's dataAccess.ts):
a factory for each request's `users`, the pool gauges the sampler reads, and warm(),
which opens the pool's connections before a run so the run measures the pool, not the ramp.
"""
import asyncio
from concurrent.futures import ThreadPoolExecutor

from .breaker import Breaker
from .calls import USERS_COLLECTION, DbCalls
from .database import PoolWatch, async_client, async_driver_label, blocking_client
from .updates import HeldCount, Waiters
from .users import AsyncUsers, BlockingUsers, PublishingUsers, on_async_driver, on_executor


class Access:
    def __init__(self, config, uri, db_name, on_health):
        self.mode = config['mode']
        self.watch = PoolWatch()
        self.calls = DbCalls(on_health)
        # Long-polls held at once, by either mode: waiter records, busy threads, or the loop.
        self.held = HeldCount()
        pool_size = config['poolSize']
        threads = config['executorThreads'] if self.mode == 'blocking' else 0
        self.style = 'sync' if self.mode == 'blocking' and threads == 0 else 'async'
        if self.mode == 'nonblocking':
            self.driver = async_driver_label()
            self._client = async_client(uri, config, self.watch)
            run = on_async_driver(self._client[db_name][USERS_COLLECTION])
            waiters = Waiters(self.held)
            self._users = lambda trace: PublishingUsers(AsyncUsers(run, pool_size, self.calls, trace), waiters)
            self._warm = lambda: asyncio.gather(*(self._client[db_name].command('ping') for _ in range(pool_size)))
            return
        self._client = blocking_client(uri, config, self.watch)
        collection = self._client[db_name][USERS_COLLECTION]
        ping = lambda: self._client[db_name].command('ping')  # noqa: E731
        if threads > 0:
            self.driver = f'pymongo on {threads} executor thread(s) (IOLoop.run_in_executor)'
            self._threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix='pymongo')
            run = on_executor(collection, self._threads, self.held)
            self._users = lambda trace: AsyncUsers(run, threads, self.calls, trace)
            self._warm = lambda: asyncio.gather(*(asyncio.get_running_loop().run_in_executor(self._threads, ping) for _ in range(threads)))
        else:
            self.driver = 'pymongo, called on the IOLoop (blocking)'
            breaker = Breaker()  # a dead database fails queued requests at once, not one timeout each
            self._users = lambda trace: BlockingUsers(collection, self.calls, trace, self.held, breaker)
            # Warm the pool from other threads: the loop must stay free while connections open.
            async def warm():
                openers = ThreadPoolExecutor(max_workers=pool_size)
                try:
                    await asyncio.gather(*(asyncio.get_running_loop().run_in_executor(openers, ping) for _ in range(pool_size)))
                finally:
                    openers.shutdown(wait=False)
            self._warm = warm

    def users(self, trace):
        return self._users(trace)

    async def warm(self):
        await self._warm()

    def pool_in_use(self):
        return self.watch.in_use

    def pool_waiting(self):
        return self.watch.waiting

    def db_in_flight(self):
        return self.calls.in_flight

    def long_polls_held(self):
        return self.held.take_peak()
