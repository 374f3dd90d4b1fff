"""Chooses the platform back ends once: the browser's under Pyodide, CPython's elsewhere.

As micropip does, the choice looks at ``"_pyodide_core" in sys.modules``; the browser
back ends also need a page (``window``), so Pyodide under Node or in a worker without
IndexedDB falls back to the host back ends. ``set_platform`` injects another set.
"""

from __future__ import annotations

import sys

from .interfaces import Platform

_current: Platform | None = None


def in_browser() -> bool:
    if "_pyodide_core" not in sys.modules:
        return False
    import js

    return hasattr(js, "window") and hasattr(js, "indexedDB")


def current_platform() -> Platform:
    """The platform in use (created on first use)."""
    global _current
    if _current is None:
        if in_browser():
            from .browser import BrowserPlatform

            _current = BrowserPlatform()
        else:
            from .host import HostPlatform

            _current = HostPlatform()
    return _current


def set_platform(platform: Platform | None) -> Platform | None:
    """Use ``platform`` from now on (None: choose again); returns the previous one."""
    global _current
    previous, _current = _current, platform
    return previous
