"""The conformance vectors in tests/vectors: complete provenance, and no drift from the
collection they were copied from (../shared/vectors, beside the checkout in CI)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, SHARED_VECTORS

LOCAL = ROOT / "tests" / "vectors"
PROVENANCE = (LOCAL / "PROVENANCE.md").read_text(encoding="utf-8")
# Vectors read from upstream for this project: the shared collection has no copy of them.
OWN_SECTION = PROVENANCE.split("## Gathered for this project", 1)[1]


def _rows(text: str) -> set[str]:
    return set(re.findall(r"^\| `([^`]+\.json)` \|", text, re.M))


# Data files only: the .md files beside them are notes (provenance, licences, READMEs).
VECTOR_FILES = sorted(
    p.relative_to(LOCAL).as_posix() for p in LOCAL.rglob("*") if p.is_file() and p.suffix != ".md"
)
OWN = sorted(_rows(OWN_SECTION))
COPIED = sorted(set(VECTOR_FILES) - set(OWN))


def test_every_vector_has_its_provenance() -> None:
    assert VECTOR_FILES, "tests/vectors is empty"
    assert set(VECTOR_FILES) == _rows(PROVENANCE)
    assert set(OWN) <= set(VECTOR_FILES)


@pytest.mark.skipif(
    not SHARED_VECTORS.is_dir(),
    reason=f"{SHARED_VECTORS} is absent (a plain clone): nothing to compare the copies with",
)
@pytest.mark.parametrize("relative", COPIED)
def test_copy_is_identical_to_shared(relative: str) -> None:
    source = SHARED_VECTORS / relative
    assert source.is_file(), f"{relative} is no longer in {SHARED_VECTORS}"
    assert (LOCAL / relative).read_bytes() == source.read_bytes(), f"{relative} drifted"
