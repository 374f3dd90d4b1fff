"""Where Chromium is and how to launch it here (shared by the test conftests and tools).

tools/ is not a package: import this file by path (see ``_tool`` in the conftests).

Debian's Chromium (``apt-get install chromium``), never Playwright's download (there is no
download here: ``playwright install`` fails). ``CHROMIUM`` in the environment overrides the path.

Flags: ``--no-sandbox`` because tests run as root; the background-networking family because
otherwise Chromium keeps trying (and failing) to reach Google services, which would also show
up as requests leaving 127.0.0.1.

Playwright's sync API must not be started twice at once in a process, and while it is
started ``asyncio.run`` fails in the same thread ("cannot be called from a running event
loop"): keep each ``sync_playwright()`` scoped to a test module and out of async tests.
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

EXECUTABLE = os.environ.get("CHROMIUM", "/usr/bin/chromium")

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Measurement runs (tools/crash_loop.py) add flags here, e.g. --enable-logging=stderr.
    *shlex.split(os.environ.get("DID_SESSION_CHROMIUM_FLAGS", "")),
]

# Pyodide switches WebAssembly stack switching (JSPI) on by feature detection when
# pyodide.asm.mjs loads. The pages we ship hide it (web/no-jspi.js, did-session-boot.mjs):
# with it, Chromium's renderer crashed now and then (README, "Tests"). Test pages follow
# DID_SESSION_JSPI (default off, like the shipped pages; "on" for the crash loop and
# bench.jspi): an init script in each browser context, and before pytest-pyodide's
# loadPyodide, deletes the feature. Shipped pages hide it themselves whatever the switch says,
# and so do PyScript pages (their interpreter is web/pyodide-no-jspi.mjs, as we recommend).
JSPI = os.environ.get("DID_SESSION_JSPI", "off")
if JSPI not in ("on", "off"):
    raise ValueError(f"DID_SESSION_JSPI must be 'on' or 'off', not {JSPI!r}")
HIDE_JSPI_SCRIPT = (
    "delete WebAssembly.Suspending; delete WebAssembly.Suspender; delete WebAssembly.promising;"
)


def init_scripts(*, jspi: bool | None = None) -> list[str]:
    """Scripts every test page runs before its own: JSPI hidden when ``jspi`` is False
    (None: as DID_SESSION_JSPI says)."""
    on = JSPI == "on" if jspi is None else jspi
    return [] if on else [HIDE_JSPI_SCRIPT]


def check_executable() -> None:
    if not Path(EXECUTABLE).exists():
        raise FileNotFoundError(
            f"{EXECUTABLE} not found: run ./dev setup (apt-get install chromium chromium-driver)"
        )
