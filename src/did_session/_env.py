"""The one fact every back-end choice is made from: are we running under Pyodide?

As micropip does, ``"_pyodide_core" in sys.modules`` (Pyodide's own C module, there from
the interpreter's start). :mod:`did_session.platform` picks the browser back ends on it and
:mod:`did_session.crypto` the @noble bundle; nothing else asks.
"""

from __future__ import annotations

import sys

IN_PYODIDE: bool = "_pyodide_core" in sys.modules
