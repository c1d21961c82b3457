"""
The Tornado subject's entry (spawned by the lab, server/subject-tornado/spawn.ts): one
process, one IOLoop, serving the lesson handlers on a free port of 127.0.0.1.

It reads its spec (config, database URI, trace layouts) from the LAB_SUBJECT environment
variable, talks to the lab over Node's IPC channel (runtime/channel.py) and answers the
same commands as the Node subject: warm (open the pool), configure (cpuMs) and tracing (on or
off at run time, for bench/tracing.ts).

Edited handlers (the spec's `handlers`: file name -> the edited source in the lab's data dir)
are imported before the application is built, each as the module the project's file would be
(handlers.get_user_nonblocking), so its relative imports, its trace name and its routes are
those of the original; a traceback points at the edited file's line.
"""
import asyncio
import importlib.util
import json
import logging
import os
import resource
import sys

import tornado.httpserver
import tornado.ioloop
import tornado.netutil

import handlers
from handlers.inputs import LONG_POLL, MAX_BODY_BYTES
from runtime.access import Access
from runtime.channel import Channel
from runtime.sampler import start_sampler
from runtime.tracer import Tracer


def describe(error):
    return str(error) or type(error).__name__


def load_edited_handlers(edited):
    """Imports each edited file in place of the project's module of the same name."""
    for file, path in sorted(edited.items()):
        stem = file[:-3] if file.endswith('.py') else file
        if not stem.isidentifier() or stem.startswith('_'):
            raise ValueError(f'not a handler file name: {file}')
        name = f'{handlers.__name__}.{stem}'
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f'cannot load the edited {file} from {path}')
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException as error:
            del sys.modules[name]
            raise RuntimeError(f'the edited {file} failed on import: {type(error).__name__}: {describe(error)}') from error
        setattr(handlers, stem, module)


async def serve(spec, worker, channel):
    load_edited_handlers(spec.get('handlers') or {})
    from app import Subject, make_app  # after the edits, so that it imports them

    config = spec['config']
    LONG_POLL.update(spec.get('longPoll', {}))
    health = {'up': None}

    def on_health(up, message):
        if up == health['up']:
            return
        health['up'] = up
        channel.send({'type': 'database', 'up': True} if up else {'type': 'database', 'up': False, 'message': message or 'database unavailable'})

    access = Access(config, spec['uri'], spec['dbName'], on_health)
    tracer = Tracer(config['tracing'], worker, spec['layouts'], lambda batch: channel.send({'type': 'events', 'events': batch}))
    edited = spec.get('handlers') or {}
    subject = Subject(tracer, access, worker, {'cpuMs': config['cpuMs']}, edited, spec.get('editedDeadlineMs', 10_000))
    sampler = {'current': start_sampler(tracer, access, lambda: subject.in_flight)}
    subject.on_request = lambda: sampler['current'].wake()
    loop = asyncio.get_running_loop()

    async def warm():
        try:
            await access.warm()
            channel.send({'type': 'warmed', 'ok': True})
        except Exception as error:
            channel.send({'type': 'warmed', 'ok': False, 'message': describe(error)})

    def on_command(command):
        if command.get('type') == 'configure':
            subject.settings['cpuMs'] = command['cpuMs']
        elif command.get('type') == 'warm':
            asyncio.ensure_future(warm())
        elif command.get('type') == 'tracing':
            sampler['current'].stop()
            tracer.set_enabled(bool(command.get('enabled')))
            sampler['current'] = start_sampler(tracer, access, lambda: subject.in_flight)
            cpu = resource.getrusage(resource.RUSAGE_SELF)
            channel.send({'type': 'tracing', 'enabled': tracer.enabled, 'requests': subject.received,
                          'cpuMicros': round((cpu.ru_utime + cpu.ru_stime) * 1e6)})

    channel.listen(lambda command: loop.call_soon_threadsafe(on_command, command))
    # The body limit is checked in the handler (413 with a message); this only stops abuse.
    server = tornado.httpserver.HTTPServer(make_app(subject), max_body_size=4 * MAX_BODY_BYTES, idle_connection_timeout=30)
    # Node's listen backlog (Tornado's default is 128): thousands of long-polls connect at once.
    sockets = tornado.netutil.bind_sockets(0, '127.0.0.1', backlog=511)
    server.add_sockets(sockets)
    channel.send({'type': 'ready', 'port': sockets[0].getsockname()[1], 'driver': access.driver})
    if spec.get('heartbeatMs'):
        # Edited handlers run: a timer on the loop tells the lab it turns (a held loop sends none).
        tornado.ioloop.PeriodicCallback(lambda: channel.send({'type': 'heartbeat', 'worker': worker}), spec['heartbeatMs']).start()
    await asyncio.Event().wait()


def main():
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format='%(message)s')
    logging.getLogger('tornado.access').setLevel(logging.ERROR)  # 4xx answers are the lab's normal business
    channel = Channel()
    try:
        spec = json.loads(os.environ['LAB_SUBJECT'])
        asyncio.run(serve(spec, int(os.environ.get('LAB_SUBJECT_WORKER', '0')), channel))
    except Exception as error:
        channel.send({'type': 'fatal', 'message': describe(error)})
        sys.exit(1)


if __name__ == '__main__':
    main()
