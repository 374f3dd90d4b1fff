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

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pytest_pyodide import get_global_config

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> ModuleType:
    """Import ``tools/<name>.py`` by path, once per process (tools/ is not a package)."""
    mod_name = f"_did_session_tools_{name}"
    if mod_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(mod_name, ROOT / "tools" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        sys.modules[mod_name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[mod_name])
    return sys.modules[mod_name]


chromium = _tool("chromium")

get_global_config().set_flags("chrome", ["--js-flags=--expose-gc", *chromium.FLAGS])


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
