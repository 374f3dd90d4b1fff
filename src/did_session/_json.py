"""``json.loads`` for untrusted text, with a bound on nesting depth.

The C JSON decoder recurses once per ``[`` / ``{`` and relies on the interpreter's
recursion limit to stop. Some libraries raise that limit far beyond what the C stack
holds (py_ecc, imported by eth-account and web3, sets 100000): a JWS header of ~130 KB of
``[`` then crashes the whole process (SIGSEGV) instead of raising ``RecursionError``.
So the depth is checked first, in one linear pass, when the text has enough brackets to
matter at all.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

MAX_JSON_DEPTH: Final = 512
"""Deepest nesting of arrays / objects accepted (as for DAG-CBOR)."""

# A string token (closed, or running to the end of the text: then the JSON is invalid
# anyway) or a bracket. Every string is consumed from its opening quote in one match, so
# the scan is linear even for hostile text like '"\"\"\"...'.
_TOKENS: Final = re.compile(r'"(?:[^"\\]|\\.)*(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)


def loads(text: str, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads(text)``; ``ValueError`` also for nesting deeper than ``max_depth``."""
    if text.count("[") + text.count("{") > max_depth:
        depth = 0
        for match in _TOKENS.finditer(text):
            piece = match.group()
            if piece == "[" or piece == "{":
                depth += 1
                if depth > max_depth:
                    raise ValueError(f"JSON nested deeper than {max_depth}")
            elif piece == "]" or piece == "}":
                depth -= 1
    return json.loads(text)
