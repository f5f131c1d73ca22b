import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

OK = (200, {"errcode": 0, "errmsg": "ok"})


class Robot(ThreadingHTTPServer):
    """A real group-chat robot on 127.0.0.1: answers each POST with the next of `answers` (status, JSON), then
    with OK; keeps every request's path and JSON. `during` runs inside a request, before the answer."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RobotHandler)
        self.answers: list[tuple[int, dict]] = []
        self.received: list[tuple[str, dict]] = []
        self.during: Callable[[], None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/robot/send"


class RobotHandler(BaseHTTPRequestHandler):
    server: Robot

    def do_POST(self) -> None:
        payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.received.append((self.path, payload))
        if self.server.during is not None:
            self.server.during()
        status, reply = self.server.answers.pop(0) if self.server.answers else OK
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def robot(settings):
    """A robot the webhook channel posts to; notices go out on the webhook only, retries due at once."""
    server = Robot()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.KUOCHAN_NOTIFY_CHANNELS = ["webhook"]
    settings.KUOCHAN_WEBHOOK_URL = server.url
    settings.KUOCHAN_WEBHOOK_SECRET = ""
    settings.KUOCHAN_NOTIFY_RETRY_SECONDS = 0
    yield server
    server.shutdown()
    server.server_close()


def run_worker() -> None:
    """`kuochan db_worker --batch`: runs every task that is due, retries enqueued meanwhile included."""
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
