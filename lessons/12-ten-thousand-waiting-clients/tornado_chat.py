# Tornado's chat demo, cut down (shown, never run): how one process keeps thousands of
# long-polls waiting. A waiter is a Future in a list, not a thread.
import tornado.web
from tornado.concurrent import Future


class MessageBuffer:
    def __init__(self):
        self.waiters = set()
        self.cache = []

    # step: wait
    def wait_for_messages(self, cursor=None):
        result_future = Future()
        self.waiters.add(result_future)
        return result_future

    # step: publish
    def new_messages(self, messages):
        for future in self.waiters:
            future.set_result(messages)
        self.waiters = set()
        self.cache.extend(messages)


global_message_buffer = MessageBuffer()


class MessageUpdatesHandler(tornado.web.RequestHandler):
    async def post(self):
        cursor = self.get_argument("cursor", None)
        # step: await
        self.future = global_message_buffer.wait_for_messages(cursor=cursor)
        messages = await self.future
        self.write(dict(messages=messages))
