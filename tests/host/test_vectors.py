"""The conformance vectors in tests/vectors: complete provenance, and no drift from the
collection they were copied from (../shared/vectors, beside the checkout in CI)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, SHARED_VECTORS

LOCAL = ROOT / "tests" / "vectors"
NOTES = {"PROVENANCE.md", "LICENSES.md"}


def _copied() -> list[str]:
    return sorted(
        p.relative_to(LOCAL).as_posix()
        for p in LOCAL.rglob("*")
        if p.is_file() and p.name not in NOTES
    )


COPIED = _copied()


def test_every_copied_vector_has_its_provenance() -> None:
    listed = set(re.findall(r"^\| `([^`]+\.json)` \|", (LOCAL / "PROVENANCE.md").read_text(), re.M))
    assert COPIED, "tests/vectors is empty"
    assert set(COPIED) == listed


@pytest.mark.skipif(
    not SHARED_VECTORS.is_dir(),
    reason=f"{SHARED_VECTORS} is absent (a plain clone): nothing to compare the copies with",
)
@pytest.mark.parametrize("relative", COPIED)
def test_copy_is_identical_to_shared(relative: str) -> None:
    source = SHARED_VECTORS / relative
    assert source.is_file(), f"{relative} is no longer in {SHARED_VECTORS}"
    assert (LOCAL / relative).read_bytes() == source.read_bytes(), f"{relative} drifted"
