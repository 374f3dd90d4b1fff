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
]


def check_executable() -> None:
    if not Path(EXECUTABLE).exists():
        raise FileNotFoundError(
            f"{EXECUTABLE} not found: run ./dev setup (apt-get install chromium chromium-driver)"
        )
