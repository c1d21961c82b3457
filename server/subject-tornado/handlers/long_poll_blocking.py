"""
GET /updates?after=<id>, blocking: wait for the next new user, the thread-per-request way.
`wait_for_newer` asks MongoDB again and again (pymongo, on the IOLoop's thread) until a user
newer than `after` exists or the time is up, and returns only then. While one client
waits, no other request gets in, not even the POST that would answer it.
"""
from .base import LabHandler
from .inputs import parse_updates_query


class LongPoll(LabHandler):
    route = 'longPoll'

    def get(self):
        self.step('parse')
        after, timeout_ms = parse_updates_query(self.request.query_arguments)

        self.step('cpu')
        self.cpu()

        self.step('query')
        fresh = self.users.wait_for_newer(after, timeout_ms)

        self.step('respond')
        if not fresh:
            return self.no_content()
        self.send_json(200, {'users': fresh})
