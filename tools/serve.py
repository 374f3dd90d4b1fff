"""Static file server for the built site (``.build/site``), stdlib only.

CLI::

    python tools/serve.py [--port N] [--root DIR] [--verbose]   # PORT env var also works

As a module (test fixtures)::

    from serve import start_server
    server, url = start_server(root, port=0)   # serving in a daemon thread
    ...
    server.shutdown(); server.server_close()

Caching policy (chosen so that warm-cache measurements are meaningful and a rebuilt file is
never served stale):

- files under ``pyodide/`` and ``pyscript/`` except ``*.json`` and ``*.html``: npm / PyPI
  artefacts whose content only changes with a version pin -> ``Cache-Control: max-age=3600``
  (a warm load makes no request for them at all);
- everything else (HTML, our own wheel, manifests, lock files, JS bundles built from our
  sources, the demo) -> ``Cache-Control: no-cache`` + ``ETag`` / ``Last-Modified``: the
  browser revalidates and gets a cheap ``304 Not Modified``.

HTTP/1.1 keep-alive, one thread per connection, bound to 127.0.0.1 only.

``--isolated`` (``isolated=True``) adds the cross-origin isolation headers (COOP
``same-origin``, COEP ``require-corp``, CORP ``same-origin``) to every response: pages get
``SharedArrayBuffer``, which PyScript's worker ``window`` proxy (the main thread's
``window.ethereum`` seen from a ``<script type="py" worker>``) needs. Everything here is
same-origin, so nothing else changes.
"""

from __future__ import annotations

import argparse
import contextlib
import email.utils
import functools
import io
import os
import sys
import threading
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import BinaryIO

ROOT_DEFAULT = Path(__file__).resolve().parent.parent / ".build" / "site"
IMMUTABLE_DIRS = ("pyodide", "pyscript")
IMMUTABLE_MAX_AGE = 3600

MIME_TYPES = {
    ".mjs": "text/javascript; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".wasm": "application/wasm",
    ".whl": "application/zip",
    ".zip": "application/zip",
    ".json": "application/json",
    ".map": "application/json",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".py": "text/x-python; charset=utf-8",
    ".toml": "application/toml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
}
EXTENSIONS_MAP = {**SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
HOST = "127.0.0.1"  # never reachable from other machines
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class StaticHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a page load reuses a few connections
    timeout = 60  # idle keep-alive connections do not hold a thread forever
    extensions_map = EXTENSIONS_MAP
    verbose = False
    isolated = False

    _cache_headers: dict[str, str] | None = None

    def _cache_policy(self, fs_path: str) -> str:
        rel = Path(fs_path).resolve().relative_to(Path(self.directory).resolve())
        if rel.parts and rel.parts[0] in IMMUTABLE_DIRS and rel.suffix not in (".json", ".html"):
            return f"public, max-age={IMMUTABLE_MAX_AGE}"
        return "no-cache"

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        self._cache_headers = None
        fs_path = self.translate_path(self.path)
        if os.path.isdir(fs_path) and self.path.split("?", 1)[0].endswith("/"):
            fs_path = os.path.join(fs_path, "index.html")  # what super() serves, if it exists
        if os.path.isfile(fs_path):
            st = os.stat(fs_path)
            etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
            self._cache_headers = {"ETag": etag, "Cache-Control": self._cache_policy(fs_path)}
            inm = self.headers.get("If-None-Match")
            if inm is not None and (
                inm.strip() == "*" or etag in (t.strip() for t in inm.split(","))
            ):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                self.send_header("Last-Modified", email.utils.formatdate(st.st_mtime, usegmt=True))
                self.end_headers()
                return None
        return super().send_head()

    def end_headers(self) -> None:
        if self._cache_headers:
            for key, value in self._cache_headers.items():
                self.send_header(key, value)
            self._cache_headers = None
        if self.isolated:
            for key, value in ISOLATION_HEADERS.items():
                self.send_header(key, value)
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        if self.verbose:
            super().log_message(format, *args)

    def log_error(self, format: str, *args: object) -> None:
        # 404s and friends are worth seeing even in quiet mode.
        super().log_message(format, *args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(
    root: str | os.PathLike[str], port: int = 0, *, verbose: bool = False, isolated: bool = False
) -> _Server:
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} does not exist: run `python tools/build.py` first")
    handler = type("Handler", (StaticHandler,), {"verbose": verbose, "isolated": isolated})
    return _Server((HOST, port), functools.partial(handler, directory=str(root)))


def server_url(server: _Server) -> str:
    return f"http://{HOST}:{server.server_port}/"


def start_server(
    root: str | os.PathLike[str] = ROOT_DEFAULT,
    port: int = 0,
    *,
    verbose: bool = False,
    isolated: bool = False,
) -> tuple[_Server, str]:
    """Serve ``root`` on 127.0.0.1 in a daemon thread; returns ``(server, url)``.

    Stop with ``server.shutdown(); server.server_close()``.
    """
    server = make_server(root, port, verbose=verbose, isolated=isolated)
    thread = threading.Thread(target=server.serve_forever, name="static-server", daemon=True)
    thread.start()
    return server, server_url(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--root", default=str(ROOT_DEFAULT))
    parser.add_argument("--verbose", "-v", action="store_true", help="log every request")
    parser.add_argument(
        "--isolated", action="store_true", help="send COOP/COEP (PyScript workers reach window)"
    )
    args = parser.parse_args(argv)
    try:
        server = make_server(args.root, args.port, verbose=args.verbose, isolated=args.isolated)
    except (FileNotFoundError, OSError) as e:
        print(f"serve.py: {e}", file=sys.stderr)
        return 1
    # localhost first: WebAuthn (the demo's passkey sign-in) refuses an IP address as RP id.
    print(
        f"Serving {args.root} at http://localhost:{server.server_port}/"
        f" (and {server_url(server)})  (Ctrl-C to stop)",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt), server:
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
