"""A fake Teams/Slack incoming-webhook server on loopback, for the channel tests.

Each POST is recorded (path and JSON body). `fail_next` makes the next N requests answer 500,
as a webhook having a bad moment does; Teams answers 202 (Workflows) and Slack 200 "ok".
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeWebhooks:
    def __init__(self) -> None:
        self.received: list[tuple[str, dict]] = []
        self.fail_next = 0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with fake.lock:
                    if fake.fail_next > 0:
                        fake.fail_next -= 1
                        self.send_response(500)
                        self.end_headers()
                        self.wfile.write(b"Service unavailable, try later")
                        return
                    fake.received.append((self.path, json.loads(body)))
                teams = self.path.startswith("/teams/")
                self.send_response(202 if teams else 200)
                self.end_headers()
                self.wfile.write(b"" if teams else b"ok")

            def log_message(self, *args):  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, provider: str, secret: str) -> str:
        return f"{self.base}/{provider}/{secret}"

    def paths(self) -> list[str]:
        with self.lock:
            return [path for path, _ in self.received]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
