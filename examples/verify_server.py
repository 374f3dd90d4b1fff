"""A backend endpoint that accepts requests signed by a browser did-session.

The browser sends ``POST /api/notes`` with JSON ``{"jws": <General JWS>, "cacao": <CACAO>}``
(``session.did.create_jws(note)`` and ``session.cacao.to_json()``). The server checks the
signature, that the CACAO was granted to *this* site for the resource it serves, that it
is fresh, and its nonce; then it trusts ``issuer`` (the user's did:pkh) as the author.

Standard library only. Run: ``python examples/verify_server.py --port 8080``.
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from did_session import DIDSessionError, Verifier

# What this relying party expects. Keep these in your configuration.
VERIFIER = Verifier(
    domains=["127.0.0.1", "localhost", "notes.example.org"],
    required_resources=["ceramic://*"],
    max_capability_age_secs=8 * 24 * 3600,
)
MAX_BODY = 64 * 1024


class Handler(BaseHTTPRequestHandler):
    notes: ClassVar[list[dict[str, Any]]] = []

    def _reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        if self.path != "/api/notes":
            self._reply(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            self._reply(413, {"error": "body too large or empty"})
            return
        try:
            body = json.loads(self.rfile.read(length))
            result = VERIFIER.verify(body["jws"], body["cacao"])
            note = result.payload_json()
        except (ValueError, KeyError, TypeError):
            self._reply(400, {"error": "expected JSON {jws, cacao}"})
            return
        except DIDSessionError as e:
            self._reply(401, {"error": type(e).__name__, "message": str(e)})
            return
        self.notes.append({"author": result.issuer, "note": note})
        self._reply(201, {"author": result.issuer, "session": result.signer_did})

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


def make_server(port: int = 0) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8080)
    server = make_server(parser.parse_args().port)
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/api/notes")
    server.serve_forever()
