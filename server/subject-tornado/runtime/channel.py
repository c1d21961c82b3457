"""
The line to the lab: Node's IPC channel, spoken from Python.

The lab spawns this process as it spawns its Node children, with an IPC channel in JSON
mode: Node passes the channel's file descriptor in NODE_CHANNEL_FD and writes each message
as one line of JSON; we read and write the same lines. So the lab's side of a Tornado
subject is exactly its side of a Node subject: `child.send`, `child.on('message')`.

A thread reads the channel. When it reaches end of file the lab is gone (even killed with
SIGKILL) and this process exits at once, even while its loop is stuck in a blocking
pymongo call: no orphan Python processes.
"""
import json
import os
import socket
import threading


class Channel:
    def __init__(self):
        fd = int(os.environ['NODE_CHANNEL_FD'])
        self._socket = socket.socket(fileno=fd)
        self._socket.setblocking(True)
        self._lock = threading.Lock()
        self._on_message = None
        self._ready = threading.Event()
        threading.Thread(target=self._read, name='lab-channel', daemon=True).start()

    def listen(self, on_message):
        """Messages from the lab go to on_message, called on the reading thread."""
        self._on_message = on_message
        self._ready.set()

    def send(self, message):
        line = (json.dumps(message, separators=(',', ':'), allow_nan=False) + '\n').encode()
        with self._lock:
            try:
                self._socket.sendall(line)
            except OSError:
                os._exit(0)  # the lab is gone

    def _read(self):
        pending = b''
        while True:
            try:
                chunk = self._socket.recv(65536)
            except OSError:
                chunk = b''
            if not chunk:
                os._exit(0)  # the lab is gone: leave now, whatever the loop is doing
            pending += chunk
            *lines, pending = pending.split(b'\n')
            self._ready.wait()
            for line in lines:
                if line.strip():
                    self._on_message(json.loads(line))
