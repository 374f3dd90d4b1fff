"""pytest-pyodide setup: run ``@run_in_pyodide`` tests in Debian's Chromium.

Run with ``--runtime chrome --runner playwright --dist-dir .build/pyodide-dist`` (``./dev test``
does). pytest-pyodide has no option for the browser's path: we override its module-scoped
``playwright_browsers`` fixture to launch ``/usr/bin/chromium`` with our flags. Its flag list
is replaced by ``set_flags``, so ``--js-flags=--expose-gc`` (used by its leak checks) is kept.

The dist dir (built by tools/build.py) holds npm pyodide plus the wheels run_in_pyodide always
loads (pytest, tblib and their deps) and our wheel as lock package ``did-session``: use
``@run_in_pyodide(packages=["did-session"])``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_pyodide import get_global_config
from tools import chromium

ROOT = Path(__file__).resolve().parents[2]


get_global_config().set_flags("chrome", ["--js-flags=--expose-gc", *chromium.FLAGS])
_config = get_global_config()
_config.set_load_pyodide_script(
    "chrome", "".join(chromium.init_scripts()) + _config.get_load_pyodide_script("chrome")
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Plain ``pytest`` (node runtime, selenium runner) cannot run these: skip, saying how."""
    runtimes = set(pytest.pyodide_runtimes)  # type: ignore[attr-defined]
    if "chrome" in runtimes and config.option.runner.lower() == "playwright":
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(
        reason="browser tests: run ./dev test (or pytest --runtime chrome --runner playwright "
        "--dist-dir .build/pyodide-dist)"
    )
    for item in items:
        if here in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def playwright_browsers(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    if request.config.option.runner.lower() != "playwright":
        yield {}
        return
    runtimes = set(pytest.pyodide_runtimes)  # type: ignore[attr-defined]
    unsupported = runtimes - {"chrome"}
    if unsupported:
        pytest.exit(f"only --runtime chrome is set up here, not {sorted(unsupported)}", 1)
    chromium.check_executable()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium.EXECUTABLE,
            headless=True,
            args=get_global_config().get_flags("chrome"),
        )
        try:
            yield {"chrome": browser}
        finally:
            browser.close()
