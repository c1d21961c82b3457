"""
GET /users/<username>, non-blocking: the asyncmongo idea with today's Tornado. `await`
hands the IOLoop back while the query travels to MongoDB; other requests run in the
meantime, and this one resumes when the reply arrives. (With Motor, pymongo does the
waiting on a thread of Motor's; with PyMongo's AsyncMongoClient, the loop itself does.)
"""
from .base import LabHandler
from .inputs import parse_username


class GetUser(LabHandler):
    route = 'getUser'

    async def get(self, username):
        self.step('parse')
        username = parse_username(username)

        self.step('cpu')
        self.cpu()

        self.step('query')
        user = await self.users.find_one({'username': username})

        self.step('respond')
        if user is None:
            return self.not_found(f'no user named {username}')
        self.greet(user)
