"""
GET /updates?after=<id>, nonblocking: wait for the next new user, as Tornado's chat demo
waits for the next message. `await` parks this request as a small record in a set (its
socket stays open); the IOLoop serves everyone else meanwhile. One POST /users wakes every
waiting request at once, with one database read shared by all of them.
"""
from .base import LabHandler
from .inputs import parse_updates_query


class LongPoll(LabHandler):
    route = 'longPoll'

    async def get(self):
        self.step('parse')
        after, timeout_ms = parse_updates_query(self.request.query_arguments)

        self.step('cpu')
        self.cpu()

        self.step('query')
        fresh = await self.users.wait_for_newer(after, timeout_ms)

        self.step('respond')
        if not fresh:
            return self.no_content()
        self.send_json(200, {'users': fresh})
