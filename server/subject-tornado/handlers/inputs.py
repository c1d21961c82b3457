"""
Input validation for the handlers (the Node subject's handlers/input.ts). Everything a
client sends is checked here before it can reach a filter: a username is always a string
matching USERNAME, never a dict, so no MongoDB operator can be smuggled in.
"""
import json
import re
import unicodedata
from datetime import datetime, timezone

import tornado.web

USERNAME = re.compile(r'^[a-z0-9_.-]{1,64}$', re.IGNORECASE)
USERNAME_RULE = "a username is 1 to 64 letters, digits, '.', '_' or '-'"
LIST_LIMIT = {'min': 1, 'max': 100, 'default': 20}
MAX_BODY_BYTES = 16 * 1024


class InputError(tornado.web.HTTPError):
    """A client mistake, answered with its status and a message that says what to fix."""

    def __init__(self, message, status=400):
        super().__init__(status)
        self.message = message


def parse_username(raw):
    if not isinstance(raw, str) or not USERNAME.match(raw):
        raise InputError(USERNAME_RULE)
    return raw


def _is_letter(char):
    return unicodedata.category(char)[0] in 'LM'


def is_city(text):
    """City names as the seed writes them: letters (any script), spaces, apostrophes, dots, hyphens."""
    return (isinstance(text, str) and 1 <= len(text) <= 64 and _is_letter(text[0])
            and all(_is_letter(char) or char in " .'-" for char in text))


def parse_city_query(arguments):
    """arguments: Tornado's request.query_arguments ({name: [bytes, ...]})."""
    for key, values in arguments.items():
        if key not in ('city', 'limit'):
            raise InputError(f'unknown query parameter: {key} (allowed: city, limit)')
        if len(values) > 1:
            raise InputError(f'{key} may be given once')
    city = arguments.get('city', [b''])[0].decode('utf-8', 'replace')
    if not is_city(city):
        raise InputError('city is required: 1 to 64 letters, spaces or hyphens')
    limit_text = arguments.get('limit', [str(LIST_LIMIT['default']).encode()])[0].decode('utf-8', 'replace')
    if not limit_text.isascii() or not limit_text.isdigit() or not LIST_LIMIT['min'] <= int(limit_text) <= LIST_LIMIT['max']:
        raise InputError(f"limit must be a whole number from {LIST_LIMIT['min']} to {LIST_LIMIT['max']}")
    return city, int(limit_text)


def _text(body, field, low, high, required):
    value = body.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not low <= len(value.strip()) <= high:
        raise InputError(f'{field} must be a string of {low} to {high} characters')
    return value.strip()


def parse_new_user(raw_body):
    if len(raw_body) > MAX_BODY_BYTES:
        raise InputError(f'the body is larger than {MAX_BODY_BYTES} bytes', 413)
    if not raw_body.strip():
        raise InputError('a JSON body is required')
    try:
        body = json.loads(raw_body)
    except ValueError:
        raise InputError('the body is not valid JSON') from None
    if not isinstance(body, dict):
        raise InputError('the body must be a JSON object')
    unknown = sorted(set(body) - {'username', 'first_name', 'last_name', 'city'})
    if unknown:
        raise InputError(f"unknown field(s): {', '.join(unknown)}")
    if not isinstance(body.get('username'), str) or not USERNAME.match(body['username']):
        raise InputError(USERNAME_RULE)
    user = {'username': body['username'], 'first_name': _text(body, 'first_name', 1, 64, True)}
    last_name = _text(body, 'last_name', 0, 64, False)
    if last_name is not None:
        user['last_name'] = last_name
    if body.get('city') is not None:
        if not is_city(body['city']):
            raise InputError('city: 1 to 64 letters, spaces or hyphens')
        user['city'] = body['city']
    user['created_at'] = datetime.now(timezone.utc)
    return user


OBJECT_ID_HEX = re.compile(r'^[0-9a-f]{24}$', re.IGNORECASE)
# Set from the lab's spec at start (common/knobs.ts LONG_POLL_BOUNDS and LONG_POLL_DEFAULTS);
# these are the same values, for a subject started by hand.
LONG_POLL = {'timeoutMs': {'min': 1, 'max': 120_000}, 'defaultTimeoutMs': 30_000}


def parse_updates_query(arguments):
    """GET /updates?after=<id>&timeoutMs=<n>: the newest user id the client has seen, and how long to wait."""
    for key, values in arguments.items():
        if key not in ('after', 'timeoutMs'):
            raise InputError(f'unknown query parameter: {key} (allowed: after, timeoutMs)')
        if len(values) > 1:
            raise InputError(f'{key} may be given once')
    after = arguments.get('after', [b''])[0].decode('utf-8', 'replace')
    if not OBJECT_ID_HEX.match(after):
        raise InputError('after is required: the id of the newest user seen, 24 hex digits')
    low, high = LONG_POLL['timeoutMs']['min'], LONG_POLL['timeoutMs']['max']
    timeout_text = arguments.get('timeoutMs', [str(LONG_POLL['defaultTimeoutMs']).encode()])[0].decode('utf-8', 'replace')
    if not re.fullmatch(r'[0-9]{1,6}', timeout_text, re.ASCII) or not low <= int(timeout_text) <= high:
        raise InputError(f'timeoutMs must be a whole number from {low} to {high}')
    return after.lower(), int(timeout_text)
