"""
GET /callback/users/<username>, the 2010 way: asyncmongo's
    db.users.find_one({'username': ...}, callback=self._on_response)
The handler returns at once; the callback runs when the reply arrives.

In blocking mode the same callback API runs over blocking pymongo, which calls back
BEFORE find_one returns: the loop is stopped all the same. A callback alone does not make
code non-blocking; the driver underneath has to be.
"""
from .base import LabHandler
from .inputs import parse_username


class GetUserCallback(LabHandler):
    route = 'getUserCallback'

    async def get(self, username):
        self.step('parse')
        self.username = parse_username(username)

        self.step('cpu')
        self.cpu()

        self.step('query')
        self.callback_users().find_one({'username': self.username}, callback=self._on_response)
        await self.finished()  # Tornado 6 dropped @asynchronous: keep the request open for the callback

    def _on_response(self, response, error):
        self.step('callback')
        if error:
            return self.fail(error)  # the post: raise tornado.web.HTTPError(500)

        self.step('respond')
        if response is None:
            return self.not_found(f'no user named {self.username}')
        self.greet(response)
