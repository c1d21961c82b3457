# A Tornado 1.x handler using asyncmongo, Python 2, written the way people wrote them
# at the end of 2010. It has four bugs, each one a classic of its time. Find them.
import asyncmongo
import tornado.ioloop
import tornado.web

# One client per process; asyncmongo keeps a named pool of sockets ('lab') behind it.
db = asyncmongo.Client(pool_id='lab', host='127.0.0.1', port=27107,
                       maxcached=10, maxconnections=50, dbname='lab')


class UserHandler(tornado.web.RequestHandler):
    # step: handler
    def get(self, username):
        # Send the query and return straight away: the IOLoop calls
        # _on_user when MongoDB has answered.
        db.users.find({'username': username}, limit=1,
                      callback=self._on_user)

    # step: callback
    def _on_user(self, user):
        if not user:
            self.send_error(404)
            return
        self.write('Hello, %s!' % user['first_name'])
        self.finish()


application = tornado.web.Application([
    (r'/users/([a-z0-9_]+)', UserHandler),
])

if __name__ == '__main__':
    application.listen(8888)
    tornado.ioloop.IOLoop.instance().start()
