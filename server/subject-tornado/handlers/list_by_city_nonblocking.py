"""
GET /users?city=X&limit=N, nonblocking. `city` has no index: MongoDB scans the whole
collection, a slow query, and the loop serves other requests while it runs.
"""
from .base import LabHandler
from .inputs import parse_city_query


class ListByCity(LabHandler):
    route = 'listByCity'

    async def get(self):
        self.step('parse')
        city, limit = parse_city_query(self.request.query_arguments)

        self.step('cpu')
        self.cpu()

        self.step('query')
        found = await self.users.find({'city': city}, limit)

        self.step('respond')
        self.send_json(200, {'city': city, 'users': [{'username': u['username'], 'first_name': u['first_name']} for u in found]})
