"""
POST /users, blocking: insert a user. A taken username is MongoDB's duplicate key error
(code 11000, from the unique index), answered with 409.
"""
from .base import LabHandler
from .inputs import parse_new_user


class CreateUser(LabHandler):
    route = 'createUser'

    def post(self):
        self.step('parse')
        user = parse_new_user(self.request.body)

        self.step('cpu')
        self.cpu()

        self.step('query')
        result = self.users.insert_one(user)

        self.step('respond')
        self.send_json(201, {'id': result['insertedId'], 'username': user['username']})
