# The same handler today: Tornado 6 runs on asyncio, handlers are coroutines, and the
# driver is PyMongo's asynchronous API (pip install tornado pymongo).
import asyncio

import tornado.web
from pymongo import AsyncMongoClient


class UserHandler(tornado.web.RequestHandler):
    def initialize(self, users):
        self.users = users

    async def get(self, username):
        # step: query
        user = await self.users.find_one({'username': username})
        if user is None:
            raise tornado.web.HTTPError(404)
        self.write(f"Hello, {user['first_name']}!")


async def main():
    client = AsyncMongoClient('mongodb://127.0.0.1:27017', maxPoolSize=10)
    app = tornado.web.Application([
        (r'/users/([a-z0-9_]+)', UserHandler, {'users': client.lab.users}),
    ])
    app.listen(8888)
    await asyncio.Event().wait()  # serve until the process is stopped


if __name__ == '__main__':
    asyncio.run(main())
