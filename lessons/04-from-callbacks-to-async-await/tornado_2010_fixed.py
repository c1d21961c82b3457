# The same handler with its four bugs fixed (Tornado 1.x, asyncmongo, Python 2).
import asyncmongo
import tornado.ioloop
import tornado.web

db = asyncmongo.Client(pool_id='lab', host='127.0.0.1', port=27017,  # step: fix
                       maxcached=10, maxconnections=50, dbname='lab')


class UserHandler(tornado.web.RequestHandler):
    @tornado.web.asynchronous  # step: fix
    def get(self, username):
        db.users.find_one({'username': username},  # step: fix
                          callback=self._on_user)

    def _on_user(self, user, error):  # step: fix
        if error:
            self.send_error(500)
            return
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
