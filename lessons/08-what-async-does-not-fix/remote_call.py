# Tornado 6: a profile page that needs the user (MongoDB, through Motor) and an avatar
# from another web service. The database call does not block; the HTTP call decides.
import json
import urllib.request

import tornado.web
from tornado.httpclient import AsyncHTTPClient


class ProfileHandler(tornado.web.RequestHandler):
    async def get(self, username):
        user = await self.settings['db'].users.find_one({'username': username})
        # step: blocking-call
        # urllib waits for the answer on the loop's own thread: every request queues here.
        with urllib.request.urlopen('http://avatars.internal/%s' % username) as reply:
            avatar = json.load(reply)
        self.write({'name': user['first_name'], 'avatar': avatar['url']})


class ProfileHandlerFixed(tornado.web.RequestHandler):
    async def get(self, username):
        user = await self.settings['db'].users.find_one({'username': username})
        # step: non-blocking-call
        # Tornado's own HTTP client sends the request and gives the loop back until it answers.
        reply = await AsyncHTTPClient().fetch('http://avatars.internal/%s' % username)
        avatar = json.loads(reply.body)
        self.write({'name': user['first_name'], 'avatar': avatar['url']})
