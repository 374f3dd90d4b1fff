"""A backend endpoint that accepts requests signed by a browser did-session.

The page signs each request with its session and sends it as signed::

    req = await session.sign_request("POST", "/api/notes", body=json.dumps(note))
    # fetch(req.url, {method: req.method, headers: req.headers, body: req.body})

``POST /api/notes`` carries the note (JSON) as its body, ``Authorization: DIDSession
<JWS>`` and ``DID-Session-Capability: <CACAO>``. The server checks the signature, that the
CACAO was granted to *this* site for the resource it serves and is fresh, that the request
was signed for this origin, method, path and body, that it is within its time window, and
that its id was never accepted before (the replay store). Then it trusts the issuer (the
user's did:pkh) as the note's author.

Answers (JSON ``{"error", "reason"}`` on failure): 201 stored; 400 malformed (a JWS, CACAO,
signed-request claims or body that does not parse, a bad ``Content-Length``); 401 unsigned
or refused (signature, capability, request mismatch, expired); 408 the body did not arrive
in time; 409 replay; 411 no ``Content-Length``; 413 too large; 503 the replay store failed.

Hardened for the open network: a socket timeout per connection (a client that declares a
body and never sends it holds a thread for ``TIMEOUT_SECS`` at most), a listen queue of
1024 (bursts of connections are queued, not reset), a body limit, header limits of
``http.server`` (64 KiB a line, 100 headers).

Standard library only. Run: ``python examples/verify_server.py --port 8080`` (add
``--replay-db replay.sqlite3`` when several server processes share the site).
"""

from __future__ import annotations

import argparse
import json
import re
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from did_session import (
    DIDSessionError,
    MalformedError,
    MemoryReplayStore,
    ReplayStoreError,
    RequestReplayedError,
    SQLiteReplayStore,
    Verifier,
)
from did_session.interfaces import ReplayStore

MAX_BODY = 64 * 1024
TIMEOUT_SECS = 10.0
_LENGTH = re.compile(r"[0-9]{1,12}\Z")


class NotesServer(ThreadingHTTPServer):
    request_queue_size = 1024  # listen backlog (5 by default: bursts were reset)
    daemon_threads = True

    def __init__(
        self,
        port: int = 0,
        *,
        origins: Sequence[str] | None = None,
        replay_store: ReplayStore | None = None,
        timeout_secs: float = TIMEOUT_SECS,
    ) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        port = self.server_address[1]
        self.timeout_secs = timeout_secs
        # What this relying party expects. Keep these in your configuration.
        self.verifier = Verifier(
            domains=["127.0.0.1", "localhost", "notes.example.org"],
            required_resources=["ceramic://*"],
            max_capability_age_secs=8 * 24 * 3600,
            audience=origins or [f"http://127.0.0.1:{port}", f"http://localhost:{port}"],
            replay_store=replay_store if replay_store is not None else MemoryReplayStore(),
        )
        self.notes: list[dict[str, Any]] = []
        self.notes_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server: NotesServer

    def setup(self) -> None:
        self.timeout = self.server.timeout_secs  # the socket's timeout, set by setup()
        super().setup()

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        if status == 401:
            self.send_header("WWW-Authenticate", "DIDSession")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def _refuse(self, status: int, error: str, reason: str) -> None:
        self._reply(status, {"error": error, "reason": reason})

    def _body(self) -> bytes | None:
        """The body, or None after answering why not."""
        if self.headers.get("Transfer-Encoding") is not None:
            self._refuse(411, "LengthRequired", "send a Content-Length, not Transfer-Encoding")
            return None
        lengths = self.headers.get_all("Content-Length") or []
        if not lengths:
            self._refuse(411, "LengthRequired", "no Content-Length")
            return None
        if len(lengths) > 1 or not _LENGTH.match(lengths[0].strip()):
            self._refuse(400, "BadRequest", "bad Content-Length")
            return None
        length = int(lengths[0])
        if length > MAX_BODY:
            self._refuse(413, "TooLarge", f"the body is limited to {MAX_BODY} bytes")
            return None
        try:
            body = self.rfile.read(length)
        except TimeoutError:
            self._refuse(408, "Timeout", "the body did not arrive in time")
            return None
        if len(body) != length:  # the client closed early
            self.close_connection = True
            return None
        return body

    def do_POST(self) -> None:
        if self.path.split("?", 1)[0] != "/api/notes":
            self._refuse(404, "NotFound", "POST /api/notes")
            return
        body = self._body()
        if body is None:
            return
        if self.headers.get("Authorization") is None:
            self._refuse(401, "Unauthorized", "sign the request (Authorization: DIDSession ...)")
            return
        try:
            request = self.server.verifier.verify_request(
                method="POST", path=self.path, body=body, headers=self.headers
            )
        except RequestReplayedError as e:
            self._refuse(409, type(e).__name__, str(e))
            return
        except ReplayStoreError as e:  # fail closed, but say it is ours
            self._refuse(503, type(e).__name__, "cannot check for replays now; retry")
            self.log_error("replay store: %s", e)
            return
        except MalformedError as e:
            self._refuse(400, type(e).__name__, str(e))
            return
        except DIDSessionError as e:
            self._refuse(401, type(e).__name__, str(e))
            return
        try:
            note = json.loads(body)
        except ValueError:
            self._refuse(400, "BadRequest", "the body is not JSON")
            return
        with self.server.notes_lock:
            self.server.notes.append({"author": request.issuer, "note": note})
        self._reply(201, {"author": request.issuer, "session": request.signer_did})

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return  # no access log; errors (timeouts, the replay store) still go to stderr


def make_server(
    port: int = 0,
    *,
    origins: Sequence[str] | None = None,
    replay_store: ReplayStore | None = None,
    timeout_secs: float = TIMEOUT_SECS,
) -> NotesServer:
    return NotesServer(port, origins=origins, replay_store=replay_store, timeout_secs=timeout_secs)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--origin", action="append", help="this site's origin (repeatable)")
    parser.add_argument("--replay-db", help="SQLite replay store shared by several processes")
    args = parser.parse_args()
    store = SQLiteReplayStore(args.replay_db) if args.replay_db else None
    server = make_server(args.port, origins=args.origin, replay_store=store)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/api/notes", flush=True)
    server.serve_forever()
