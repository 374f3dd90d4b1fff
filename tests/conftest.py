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
# The copies in the repository (tests/vectors/PROVENANCE.md), so that a clone runs alone;
# DID_SESSION_VECTORS reads another copy. ../shared/vectors, beside the checkout in CI, is
# the collection they come from (tests/host/test_vectors.py keeps them identical).
VECTORS = Path(os.environ.get("DID_SESSION_VECTORS", ROOT / "tests" / "vectors"))
SHARED_VECTORS = ROOT.parent / "shared" / "vectors"


def load_vector(relative: str) -> Any:
    path = VECTORS / relative
    if not path.exists():
        pytest.fail(
            f"conformance vector missing: {path} (copy it from ../shared/vectors into "
            "tests/vectors and list it in tests/vectors/PROVENANCE.md)"
        )
    with path.open(encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    return VECTORS
