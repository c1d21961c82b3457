"""
Database failures reduced to what the HTTP layer needs (the Node subject's data/errors.ts):
a taken username is 409, a database that cannot be reached or does not answer in time 503.
"""
from pymongo import errors

# pymongo 4 names a pool checkout that waited too long; pymongo 3 raises a ConnectionFailure for it.
TIMEOUTS = tuple(getattr(errors, name) for name in ('NetworkTimeout', 'ExecutionTimeout', 'WaitQueueTimeoutError') if hasattr(errors, name))


class DbError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind  # 'duplicate' | 'unavailable' | 'timeout' | 'failed'
        self.message = message


def to_db_error(error):
    if isinstance(error, DbError):
        return error
    message = str(error)[:500] or type(error).__name__
    if isinstance(error, errors.DuplicateKeyError):
        return DbError('duplicate', message)
    if isinstance(error, TIMEOUTS):
        return DbError('timeout', message)
    if isinstance(error, (errors.ConnectionFailure, errors.ServerSelectionTimeoutError)):
        return DbError('unavailable', message)
    return DbError('failed', message)
