"""
What every handler inherits. Tracing stays out of the handler text: `self.step('query')`
is the step marker a lesson highlights AND the trace's `handler.step` event, and
`self.users` is already bound to the request, so a handler reads like ordinary Tornado code.
"""
import html
import json
import logging
import re
import traceback

import tornado.concurrent
import tornado.ioloop
import tornado.web

from runtime.clock import now
from runtime.errors import DbError
from runtime.users import CallbackUsers

from .inputs import InputError

RID = re.compile(r'^[\w.:-]{1,64}$', re.ASCII)
log = logging.getLogger('subject')


class LabHandler(tornado.web.RequestHandler):
    route = 'unmatched'

    def initialize(self, subject):
        self.subject = subject
        self.trace = None
        self._responded = False
        self._deadline = None
        self._in_flight = False

    # --- the request's life, traced ---

    def prepare(self):
        self.subject.received += 1
        # Before the handler runs: a resting sampler goes back to its busy beat (samples every 25 ms).
        self._in_flight = True
        self.subject.in_flight += 1
        self.subject.on_request()
        header = self.request.headers.get('x-lab-rid', '')
        rid = header if RID.match(header) else self.subject.next_rid()
        serving = self._serving_class()
        self._handler = serving.__module__.rsplit('.', 1)[-1] + '.py'
        self.trace = self.subject.tracer.request(rid)
        self.trace.emit('subject.accepted', route=serving.route, mode=self.subject.mode)
        self.users = self.subject.access.users(self.trace)
        if self._handler in self.subject.edited:
            self._guard_edited()

    def _guard_edited(self):
        """An edited handler answers by its deadline, as in the Node subject (guard.ts): one that
        never finishes (a Future nobody resolves, a lost callback) gets a 504 the trace shows."""
        ms = self.subject.edited_deadline_ms
        self._deadline = tornado.ioloop.IOLoop.current().call_later(ms / 1000, self._missed_deadline, ms)

    def _missed_deadline(self, ms):
        self._deadline = None
        if self._finished or self.request.connection.stream.closed():
            return
        if self._headers_written:
            self.finish()  # it started answering but never finished
        else:
            self.send_json(504, {'error': f'the handler did not answer within {ms / 1000:g} s'})

    def finish(self, chunk=None):
        # Stamped when the handler ends the response, like the Node subject's res.end.
        if not self._responded and self.trace is not None:
            self._responded = True
            self.trace.emit('subject.responded', status=self.get_status())
        return super().finish(chunk)

    def step(self, name):
        """Marks the line the handler is on: the trace's `handler.step`."""
        self.trace.emit('handler.step', handler=self._handler, step=name)

    def _serving_class(self):
        """The class whose method serves this request (GET and POST /users are two handlers).
        Its file, e.g. get_user_blocking.py, names the handler in the trace and the code view."""
        method = self.request.method.lower()
        return next((cls for cls in type(self).__mro__ if method in vars(cls) and issubclass(cls, LabHandler)), type(self))

    def cpu(self):
        """cpuMs of pure-Python work on the loop: what async does not fix."""
        ms = self.subject.settings['cpuMs']
        if ms <= 0:
            return
        start = now()
        while now() - start < ms:
            pass  # spin, as template rendering or JSON crunching would
        self.trace.emit('loop.blocked', t=start, durationMs=now() - start, reason='cpu')

    def callback_users(self):
        """The 2010 callback API over this mode's users (get_user_callback.py)."""
        return CallbackUsers(self.users, on_throw=self.fail)

    def finished(self):
        """A Future resolved when the response has been sent: Tornado 6 has no @asynchronous,
        so a callback-style handler awaits this to keep its request open."""
        if not hasattr(self, '_finished_future'):
            self._finished_future = tornado.concurrent.Future()
            if self._finished:
                self._finished_future.set_result(None)
        return self._finished_future

    def _done_serving(self):
        if self._in_flight:
            self._in_flight = False
            self.subject.in_flight -= 1

    def on_connection_close(self):
        self._done_serving()
        super().on_connection_close()

    def on_finish(self):
        self._done_serving()
        if self._deadline is not None:
            tornado.ioloop.IOLoop.current().remove_timeout(self._deadline)
            self._deadline = None
        if hasattr(self, '_finished_future') and not self._finished_future.done():
            self._finished_future.set_result(None)

    # --- answers ---

    def send_json(self, status, body):
        if self._finished:
            return
        self.set_status(status)
        self.set_header('content-type', 'application/json; charset=utf-8')
        self.finish(json.dumps(body, ensure_ascii=False))

    def greet(self, user):
        """The post's `self.render('template', first_name=...)`: HTML by default, JSON when asked."""
        greeting = f"Hello, {user['first_name']}!"
        if 'application/json' in self.request.headers.get('accept', ''):
            return self.send_json(200, {'username': user['username'], 'first_name': user['first_name'], 'greeting': greeting})
        self.set_header('content-type', 'text/html; charset=utf-8')
        self.finish(f'<!doctype html>\n<title>{html.escape(user["username"])}</title>\n<p>{html.escape(greeting)}</p>\n')

    def no_content(self):
        """204: the long poll's "nothing new before the timeout"."""
        if not self._finished:
            self.set_status(204)
            self.finish()

    def not_found(self, message):
        self.send_json(404, {'error': message})

    def fail(self, error):
        """Any failure to a status: validation 4xx, duplicate 409, database down 503."""
        status, message = describe_failure(error, self.request)
        if status == 413:
            self.set_header('connection', 'close')
        self.send_json(status, {'error': message, **self._traceback(status, error)})

    # Tornado's hooks for an exception that leaves a handler method.
    def write_error(self, status_code, **kwargs):
        error = kwargs.get('exc_info', (None, None, None))[1]
        status, message = describe_failure(error, self.request, status_code)
        self.set_status(status)
        self.set_header('content-type', 'application/json; charset=utf-8')
        self.finish(json.dumps({'error': message, **self._traceback(status, error)}, ensure_ascii=False))

    def _traceback(self, status, error):
        """While handlers are edited, an unexpected error's 500 says what and where, as the Node
        subject's does: the student's mistake is the lesson, and the traceback names the edited
        file's line. Otherwise a 500 says only 'internal error' (the log has the rest)."""
        if status != 500 or not self.subject.edited or not isinstance(error, BaseException) or isinstance(error, DbError):
            return {}
        stack = ''.join(traceback.format_exception(type(error), error, error.__traceback__))
        for file, path in self.subject.edited.items():
            stack = stack.replace(f'File "{path}"', f'File "{file}"')  # the file the student edited
        return {'error': f'{type(error).__name__}: {error}', 'stack': stack}

    def log_exception(self, typ, value, tb):
        if not isinstance(value, (tornado.web.HTTPError, DbError)):
            log.error('subject: unexpected error', exc_info=(typ, value, tb))


def describe_failure(error, request, status=500):
    if isinstance(error, InputError):
        return error.status_code, error.message
    if isinstance(error, DbError):
        if error.kind == 'duplicate':
            return 409, 'that username is taken'
        if error.kind in ('unavailable', 'timeout'):
            return 503, f'database unavailable: {error.message}'
        return 500, 'internal error'
    if isinstance(error, tornado.web.HTTPError):
        if error.status_code == 405:
            return 405, f'{request.method} is not allowed on {request.path}'
        if error.status_code == 404:
            return 404, f'no route for {request.method} {request.path}'
        return error.status_code, error.log_message or error.reason or 'request refused'
    if status != 500:
        return status, 'request refused'
    if error is not None:
        log.error('subject: unexpected error: %r', error)
    return 500, 'internal error'


class NoRoute(LabHandler):
    """Requests for no route are traced too (as 'unmatched'): a hand-sent typo still shows up."""

    def prepare(self):
        super().prepare()
        raise tornado.web.HTTPError(404)
