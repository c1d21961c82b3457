"""
GET /stats, nonblocking: users per city, counted by MongoDB ($group) rather than here.
"""
from .base import LabHandler

BY_CITY = [{'$group': {'_id': '$city', 'users': {'$sum': 1}}}, {'$sort': {'users': -1, '_id': 1}}]


class Stats(LabHandler):
    route = 'stats'

    async def get(self):
        self.step('parse')  # nothing to read: /stats takes no input

        self.step('cpu')
        self.cpu()

        self.step('query')
        cities = await self.users.aggregate(BY_CITY)

        self.step('respond')
        self.send_json(200, {'cities': [{'city': c['_id'], 'users': c['users']} for c in cities]})
