"""A WebSub hub on loopback for the tests: records every publish notification it is
sent and answers each with the next scripted status (204 once the script runs out).
Used by tests/unit/test_websub.py and tests/e2e/test_websub_feeds.py."""

from __future__ import annotations

import http.server
import socket
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs


@dataclass
class Notification:
    path: str
    content_type: str
    fields: dict[str, list[str]]

    @property
    def topic(self) -> str:
        """The topic as a hub reads it: hub.topic, else hub.url."""
        return (self.fields.get("hub.topic") or self.fields.get("hub.url") or [""])[0]


class RecordingHub:
    """A context manager: `with RecordingHub([500, 204]) as hub: ping(hub.url, …)`."""

    def __init__(self, statuses: list[int] | None = None):
        self.statuses = list(statuses or [])
        self.received: list[Notification] = []
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                hub.received.append(Notification(self.path, self.headers.get("Content-Type", ""),
                                                 parse_qs(body, keep_blank_values=True)))
                status = hub.statuses.pop(0) if hub.statuses else 204
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):  # keep test output readable
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def topics(self) -> list[str]:
        return [n.topic for n in self.received]

    def __enter__(self) -> RecordingHub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def closed_port_url() -> str:
    """The URL of a hub that is down: a loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


class SilentHub:
    """A hub that accepts connections and never answers (a context manager)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)  # the kernel completes the handshake; nobody reads or replies
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def __enter__(self) -> SilentHub:
        return self

    def __exit__(self, *exc) -> None:
        self.sock.close()
