"""
The Tornado application: which handler file serves which route in which mode. Blocking
mode with executorThreads runs the non-blocking files (as the Node subject does): the
handler awaits a pymongo call that IOLoop.run_in_executor runs on another thread.
"""
import itertools

import tornado.web

from handlers import (create_user_blocking, create_user_nonblocking, get_user_blocking, get_user_callback,
                      get_user_nonblocking, list_by_city_blocking, list_by_city_nonblocking, long_poll_blocking,
                      long_poll_nonblocking, stats_blocking, stats_nonblocking)
from handlers.base import NoRoute

BLOCKING = [get_user_blocking.GetUser, list_by_city_blocking.ListByCity, create_user_blocking.CreateUser, stats_blocking.Stats,
            long_poll_blocking.LongPoll]
NONBLOCKING = [get_user_nonblocking.GetUser, list_by_city_nonblocking.ListByCity, create_user_nonblocking.CreateUser,
               stats_nonblocking.Stats, long_poll_nonblocking.LongPoll]


class Subject:
    """What the handlers share: the trace, the database access, the knobs that change live."""

    def __init__(self, tracer, access, worker, settings, edited=None, edited_deadline_ms=10_000):
        self.tracer = tracer
        # Edited handler files (file name -> where the edit is stored, e.g. get_user_nonblocking.py
        # -> .../staged/get_user_nonblocking-<hash>.py): they answer by a deadline, and an
        # exception's 500 carries its traceback, since the student's mistake is the lesson.
        self.edited = dict(edited or {})
        self.edited_deadline_ms = edited_deadline_ms
        self.access = access
        self.mode = access.mode
        self.settings = settings
        self._ids = itertools.count(1)
        # Requests received, traced or not (the answer to a `tracing` command carries it).
        self.received = 0
        # Requests being served, from prepare() until they finish or their connection closes:
        # while none is, the sampler rests; on_request wakes it (main.py sets it).
        self.in_flight = 0
        self.on_request = lambda: None
        self._worker = worker

    def next_rid(self):
        return f's{self._worker}-{next(self._ids)}'


def make_app(subject):
    get_user, list_by_city, create_user, stats, long_poll = BLOCKING if subject.access.style == 'sync' else NONBLOCKING
    users = type('Users', (list_by_city, create_user), {})  # GET and POST share the path /users
    args = {'subject': subject}
    return tornado.web.Application(
        [
            (r'/users/([^/]+)/?', get_user, args),
            (r'/callback/users/([^/]+)/?', get_user_callback.GetUserCallback, args),
            (r'/users/?', users, args),
            (r'/stats/?', stats, args),
            (r'/updates/?', long_poll, args),
        ],
        default_handler_class=NoRoute,
        default_handler_args=args,
        compress_response=False,
    )
