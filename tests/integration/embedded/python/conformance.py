"""Conformance checks with clients the embedded server was not written for: pymongo (blocking)
and Motor on Tornado (non-blocking). Usage: python3 conformance.py MONGODB_URI

Prints one line per check ("ok NAME" or "FAIL NAME: why") and exits non-zero if any failed.
"""
import re
import sys
import traceback

import bson
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.regex import Regex
import pymongo
from pymongo.errors import DuplicateKeyError, OperationFailure
import motor.motor_tornado
from tornado.ioloop import IOLoop

URI = sys.argv[1]
failures = []


def check(name):
    def wrap(fn):
        try:
            fn()
            print("ok", name)
        except Exception as error:  # each check reports and the run goes on
            failures.append(name)
            print("FAIL", name + ":", repr(error))
            traceback.print_exc(file=sys.stdout)
        return fn
    return wrap


client = pymongo.MongoClient(URI, serverSelectionTimeoutMS=5000)
db = client["py_conformance"]
client.drop_database(db.name)


@check("crud: insert, find, update, replace, delete")
def crud():
    people = db.people
    people.insert_many([{"_id": i, "name": n, "age": 20 + i} for i, n in enumerate(["ada", "alan", "grace"])])
    assert people.find_one({"name": "alan"})["age"] == 21
    assert people.update_one({"_id": 0}, {"$set": {"age": 36}}).modified_count == 1
    assert people.replace_one({"_id": 2}, {"name": "grace", "age": 85}).matched_count == 1
    assert people.delete_many({"age": {"$lt": 30}}).deleted_count == 1
    assert sorted(p["name"] for p in people.find()) == ["ada", "grace"]
    assert people.count_documents({}) == 2 and people.estimated_document_count() == 2


@check("types: int, Int64, float, Decimal128, datetime, regex come back as they went in")
def types():
    import datetime
    when = datetime.datetime(2024, 5, 6, 7, 8, 9)
    db.types.insert_one({"_id": 1, "big": 1700000000000, "i64": Int64(5), "whole": 10.0, "i": 7,
                         "dec": Decimal128("2.50"), "when": when, "re": Regex("^a", "i")})
    doc = db.types.find_one({"_id": 1})
    assert doc["big"] == 1700000000000 and isinstance(doc["big"], int), doc["big"]
    assert isinstance(doc["i64"], Int64), type(doc["i64"])
    assert isinstance(doc["whole"], float), type(doc["whole"])
    assert isinstance(doc["i"], int) and not isinstance(doc["i"], Int64)
    assert doc["dec"] == Decimal128("2.50")
    assert doc["when"] == when
    assert doc["re"].pattern == "^a" and doc["re"].flags == re.IGNORECASE


@check("types: $inc past 2^31 gives an Int64, Decimal128 sorts and sums by value")
def promotion():
    db.nums.insert_one({"_id": 1, "n": 2147483647})
    db.nums.update_one({"_id": 1}, {"$inc": {"n": 1}})
    n = db.nums.find_one({"_id": 1})["n"]
    assert n == 2147483648 and isinstance(n, Int64), (n, type(n))
    db.money.insert_many([{"amt": Decimal128("10.5")}, {"amt": 2}, {"amt": Decimal128("9.5")}])
    assert [str(d["amt"]) for d in db.money.find().sort("amt", 1)] == ["2", "9.5", "10.5"]
    total = list(db.money.aggregate([{"$group": {"_id": None, "t": {"$sum": "$amt"}}}]))[0]["t"]
    assert total == Decimal128("22.0"), total


@check("regex: re.compile with inline (?i) and flags")
def regex():
    db.names.insert_many([{"n": "Alice"}, {"n": "bob"}])
    assert [d["n"] for d in db.names.find({"n": re.compile("(?i)^ali")})] == ["Alice"]
    assert [d["n"] for d in db.names.find({"n": {"$regex": "^B", "$options": "i"}})] == ["bob"]


@check("indexes: unique index refuses a duplicate, list_indexes shows it")
def indexes():
    db.users.create_index("email", unique=True)
    db.users.insert_one({"email": "a@x"})
    try:
        db.users.insert_one({"email": "a@x"})
        raise AssertionError("duplicate accepted")
    except DuplicateKeyError:
        pass
    assert "email_1" in [i["name"] for i in db.users.list_indexes()]


@check("aggregation: $match, $group, $sort, $lookup")
def aggregation():
    db.orders.insert_many([{"c": "x", "v": 1}, {"c": "x", "v": 2}, {"c": "y", "v": 5}])
    out = list(db.orders.aggregate([{"$group": {"_id": "$c", "s": {"$sum": "$v"}}}, {"$sort": {"_id": 1}}]))
    assert out == [{"_id": "x", "s": 3}, {"_id": "y", "s": 5}], out
    db.customers.insert_one({"_id": "x", "name": "X Corp"})
    joined = list(db.orders.aggregate([{"$match": {"c": "x"}}, {"$lookup": {"from": "customers", "localField": "c", "foreignField": "_id", "as": "who"}}]))
    assert all(j["who"][0]["name"] == "X Corp" for j in joined)


@check("cursors: batches across getMore, and an exhaust cursor fails with an error")
def cursors():
    db.many.insert_many([{"i": i} for i in range(250)])
    assert [d["i"] for d in db.many.find().sort("i", 1).batch_size(7)] == list(range(250))
    try:
        list(db.many.find(cursor_type=pymongo.CursorType.EXHAUST))
        raise AssertionError("exhaust cursor answered")
    except OperationFailure:
        pass
    assert db.command("ping")["ok"] == 1  # the connection pool still works


@check("errors: an unknown operator is an OperationFailure with code 2")
def errors():
    try:
        db.people.find_one({"name": {"$frob": 1}})
        raise AssertionError("accepted $frob")
    except OperationFailure as error:
        assert error.code == 2, error.code


@check("motor on tornado: 200 concurrent find_one and update_one")
def motor_concurrency():
    async def run():
        mclient = motor.motor_tornado.MotorClient(URI)
        coll = mclient["py_conformance"].motor
        await coll.insert_many([{"_id": i, "n": 0} for i in range(200)])
        import tornado.gen
        await tornado.gen.multi([coll.update_one({"_id": i}, {"$inc": {"n": i}}) for i in range(200)])
        docs = await tornado.gen.multi([coll.find_one({"_id": i}) for i in range(200)])
        assert [d["n"] for d in docs] == list(range(200))
        assert await coll.count_documents({"n": {"$gte": 100}}) == 100
        mclient.close()
    IOLoop.current().run_sync(run)


client.drop_database(db.name)
print("pymongo", pymongo.version, "motor", motor.version, "bson", bson.__name__)
sys.exit(1 if failures else 0)
