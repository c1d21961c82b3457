"""
GET /users/<username>, blocking: FriendFeed's Tornado with a blocking MySQL client, in
pymongo. `find_one` returns only when MongoDB has answered. Until then the IOLoop does
nothing else: every other request waits at the door.
"""
from .base import LabHandler
from .inputs import parse_username


class GetUser(LabHandler):
    route = 'getUser'

    def get(self, username):
        self.step('parse')
        username = parse_username(username)

        self.step('cpu')
        self.cpu()

        self.step('query')
        user = self.users.find_one({'username': username})

        self.step('respond')
        if user is None:
            return self.not_found(f'no user named {username}')
        self.greet(user)
