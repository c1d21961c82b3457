# asyncmongo, 2010: the pool is configured on the client.
import asyncmongo

db = asyncmongo.Client(
    pool_id='lab',        # every Client with this pool_id shares one pool
    host='127.0.0.1',
    port=27017,
    dbname='lab',
    # step: pool
    mincached=2,          # connections opened up front
    maxcached=10,         # idle connections kept for reuse; extra ones are closed
    maxconnections=20,    # the cap: the 21st query at once raises TooManyConnections
)

# The Node driver today, for comparison:
#   new MongoClient(uri, { maxPoolSize: 20, minPoolSize: 2, waitQueueTimeoutMS: 1000 })
# A query that finds all 20 connections busy waits in a queue instead of failing.
