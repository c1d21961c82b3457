# The handler from the post this lab grew out of ("Asynchronous MongoDB in Tornado with
# asyncmongo", 5 December 2010), code as published. The copy of the post kept with the
# project lost the end of the find_one call; the callback line is put back, marked.
import asyncmongo
import tornado.web

class Handler(tornado.web.RequestHandler):
    def get(self):  # step: no-decorator
        db = asyncmongo.Client(pool_id='mypool', host='localhost', 
            port=27107, dbname='mydb')  # step: port

        db.users.find_one({'username': self.current_user}, 
            callback=self._on_response)  # put back: lost from our copy

    def _on_response(self, response, error):
        if error:
            raise tornado.web.HTTPError(500)
        self.render('template', first_name=response['first_name'])
