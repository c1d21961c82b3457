# Tornado 6 with the blocking PyMongo driver: each blocking call runs on a thread pool,
# and the loop awaits its result instead of waiting in it.
import asyncio
from concurrent.futures import ThreadPoolExecutor

import tornado.ioloop
import tornado.web
from pymongo import MongoClient

executor = ThreadPoolExecutor(max_workers=4)  # at most 4 queries in flight
client = MongoClient('mongodb://127.0.0.1:27017', maxPoolSize=10)
users = client.lab.users


class UserHandler(tornado.web.RequestHandler):
    async def get(self, username):
        loop = tornado.ioloop.IOLoop.current()
        # step: query
        user = await loop.run_in_executor(
            executor, users.find_one, {'username': username})
        if user is None:
            raise tornado.web.HTTPError(404)
        self.write(f"Hello, {user['first_name']}!")


async def main():
    tornado.web.Application([(r'/users/([a-z0-9_]+)', UserHandler)]).listen(8888)
    await asyncio.Event().wait()


if __name__ == '__main__':
    asyncio.run(main())
