"""Shared test fixtures: where the public conformance vectors live."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# No per-example deadline anywhere: on a loaded 2-core machine (the browser tests share it)
# a 200 ms deadline fails examples that are slow, not wrong. Speed is the benchmarks' job.
settings.register_profile("did-session", deadline=None)
settings.load_profile("did-session")

ROOT = Path(__file__).resolve().parent.parent
# ../shared/vectors beside the checkout (read-only in CI); DID_SESSION_VECTORS overrides.
VECTORS = Path(os.environ.get("DID_SESSION_VECTORS", ROOT.parent / "shared" / "vectors"))


def load_vector(relative: str) -> Any:
    path = VECTORS / relative
    if not path.exists():
        pytest.fail(f"conformance vector missing: {path} (set DID_SESSION_VECTORS)")
    with path.open(encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    return VECTORS
