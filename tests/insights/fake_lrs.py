"""A small learning record store on loopback that checks what it receives against xAPI.

It answers POST /statements with the list of stored ids (as an LRS does), refuses anything
that breaks the rules it checks, and can be told to fail the next batches.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeLRS:
    def __init__(self, username: str = "lrs-user", password: str = "lrs-secret"):  # noqa: S107
        self.username, self.password = username, password
        self.statements: dict[str, dict] = {}
        self.batches: list[list[str]] = []
        self.violations: list[str] = []
        self.fail_next = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/xapi"

    def start(self) -> FakeLRS:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def check(self, headers, body: bytes) -> tuple[int, list[str] | str]:
        """(status, ids or an error), following the xAPI 1.0.3 rules for POST statements."""
        version = headers.get("X-Experience-API-Version", "")
        if not version.startswith("1.0"):
            return 400, "missing or unsupported X-Experience-API-Version"
        expected = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            return 401, "bad credentials"
        try:
            batch = json.loads(body)
        except ValueError:
            return 400, "not JSON"
        if isinstance(batch, dict):
            batch = [batch]
        seen: set[str] = set()
        for statement in batch:
            problem = self.problem(statement)
            if problem:
                return 400, problem
            if statement["id"] in seen:
                return 400, f"statement id {statement['id']} twice in one batch"
            seen.add(statement["id"])
        with self._lock:
            if self.fail_next:
                self.fail_next -= 1
                return 503, "the LRS is busy, try later"
            for statement in batch:
                if statement["id"] in self.statements:
                    self.violations.append(f"statement {statement['id']} sent twice")
                self.statements[statement["id"]] = statement
            self.batches.append([s["id"] for s in batch])
        return 200, [s["id"] for s in batch]

    @staticmethod
    def problem(statement) -> str:
        if not isinstance(statement, dict):
            return "a statement must be an object"
        for key in ("id", "actor", "verb", "object"):
            if key not in statement:
                return f"statement without {key}"
        try:
            if str(uuid.UUID(statement["id"])) != statement["id"].lower():
                return "statement id is not a UUID"
        except (ValueError, AttributeError):
            return "statement id is not a UUID"
        actor = statement["actor"]
        identifiers = [k for k in ("mbox", "mbox_sha1sum", "openid", "account") if k in actor]
        if len(identifiers) != 1:
            return "an Agent needs exactly one inverse functional identifier"
        if "mbox" in actor and not actor["mbox"].startswith("mailto:"):
            return "mbox must be a mailto: IRI"
        verb = statement["verb"]
        if not str(verb.get("id", "")).startswith(("http://", "https://")):
            return "verb id must be an IRI"
        if "display" in verb and not isinstance(verb["display"], dict):
            return "verb display must be a language map"
        obj = statement["object"]
        if not str(obj.get("id", "")).startswith(("http://", "https://")):
            return "object id must be an IRI"
        if "timestamp" in statement and "T" not in statement["timestamp"]:
            return "timestamp must be ISO 8601"
        return ""

    def _handler(self):
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                if self.path.rstrip("/") != "/xapi/statements":
                    self.send_error(404)
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                status, payload = lrs.check(self.headers, body)
                data = json.dumps(payload if status == 200 else {"error": payload}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("X-Experience-API-Version", "1.0.3")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        return Handler
