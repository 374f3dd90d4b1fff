"""The distribution as PyPI would get it: ``python -m build`` (sdist, then the wheel built
FROM the sdist, so a file missing from the sdist shows) and ``twine check --strict``; what
each archive must carry; one version everywhere; a README that renders on PyPI.

Offline: ``--no-isolation`` builds with the hatchling pinned in requirements-dev.txt.
"""

from __future__ import annotations

import email.parser
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

import did_session
from tests.conftest import ROOT

VERSION = did_session.__version__
NAME = f"did_session-{VERSION}"
NOBLE_LICENSE = "did_session/crypto/_noble_k1.js.LICENSE.txt"
NODE_MODULES = ROOT / "node_modules"


def _run(*args: str, cwd: Path = ROOT) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"{' '.join(args[:2])} failed:\n{proc.stdout}\n{proc.stderr}"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("build", reason="`build` is not installed (requirements-dev.txt)")
    out = tmp_path_factory.mktemp("dist")
    _run("build", "--no-isolation", "--outdir", str(out), str(ROOT))
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Iterator[zipfile.ZipFile]:
    with zipfile.ZipFile(dist / f"{NAME}-py3-none-any.whl") as z:
        yield z


@pytest.fixture(scope="module")
def sdist_names(dist: Path) -> set[str]:
    with tarfile.open(dist / f"{NAME}.tar.gz") as t:
        return {m.name.removeprefix(f"{NAME}/") for m in t.getmembers() if m.isfile()}


def test_twine_check_strict(dist: Path) -> None:
    pytest.importorskip("twine", reason="`twine` is not installed (requirements-dev.txt)")
    files = sorted(str(p) for p in dist.iterdir())
    assert len(files) == 2
    _run("twine", "check", "--strict", *files)


def test_wheel_contents(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    info = f"{NAME}.dist-info"
    # Every file of the package (sources, py.typed, the @noble bundle and its licence).
    package = ROOT / "src"
    expected = {
        p.relative_to(package).as_posix()
        for p in (package / "did_session").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }
    assert {"did_session/py.typed", "did_session/crypto/_noble_k1.js", NOBLE_LICENSE} <= expected
    assert {n for n in names if not n.startswith(info)} == expected
    licenses = {n.removeprefix(f"{info}/licenses/") for n in names if "/licenses/" in n}
    assert licenses == {"LICENSE-MIT", "LICENSE-APACHE", f"src/{NOBLE_LICENSE}"}
    assert wheel.read(f"{info}/licenses/LICENSE-MIT") == (ROOT / "LICENSE-MIT").read_bytes()


def test_wheel_metadata(wheel: zipfile.ZipFile) -> None:
    meta = email.parser.Parser().parsestr(wheel.read(f"{NAME}.dist-info/METADATA").decode())
    assert meta["Name"] == "did-session"
    assert meta["Version"] == VERSION
    assert meta["License-Expression"] == "MIT OR Apache-2.0"
    assert tuple(int(x) for x in meta["Metadata-Version"].split(".")) >= (2, 4)  # PEP 639
    assert sorted(meta.get_all("Requires-Dist")) == [  # nothing but the extras
        *(
            f"{dep}; extra == 'fast'"
            for dep in ("coincurve>=20", "cryptography>=42", "pycryptodome>=3.20")
        ),
        "redis>=5; extra == 'redis'",  # RedisReplayStore
    ]
    classifiers = set(meta.get_all("Classifier"))
    assert {
        "Development Status :: 3 - Alpha",
        "Environment :: WebAssembly :: Emscripten",
        "Framework :: Pyodide",
        "Operating System :: OS Independent",
        "Topic :: Security :: Cryptography",
        "Typing :: Typed",
    } <= classifiers
    urls = meta.get_all("Project-URL")
    assert urls
    for entry in urls:
        label, _, url = entry.partition(", ")
        assert label and url.startswith("https://"), entry
    assert meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload() == (ROOT / "README.md").read_text(encoding="utf-8")


def test_noble_licence_is_the_bundled_packages(wheel: zipfile.ZipFile) -> None:
    text = wheel.read(NOBLE_LICENSE).decode()
    header = wheel.read("did_session/crypto/_noble_k1.js").decode().split("\n", 1)[0]
    versions = re.findall(r"@noble/(curves|hashes) (\d+\.\d+\.\d+)", header)
    assert sorted(versions) == [("curves", "1.9.7"), ("hashes", "1.8.0")]
    for package, version in versions:
        assert f"@noble/{package} {version}" in text
    assert "Copyright (c) 2022 Paul Miller" in text
    if not NODE_MODULES.is_dir():
        pytest.skip("node_modules is absent (./dev setup): cannot compare with the npm packages")
    for package, version in versions:
        npm = NODE_MODULES / "@noble" / package
        assert f'"version": "{version}"' in (npm / "package.json").read_text(), package
        assert (npm / "LICENSE").read_text(encoding="utf-8").strip() in text, package


def test_sdist_contents(sdist_names: set[str]) -> None:
    # What the sdist is for: building the wheel (checked above: built from it) and running
    # the CPython tests with their vectors. The browser side needs a clone.
    vectors = ROOT / "tests" / "vectors"
    for path in [
        *(p.relative_to(ROOT).as_posix() for p in vectors.rglob("*") if p.is_file()),
        *(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests" / "host").glob("*.py")),
        "tests/conftest.py",
        "tests/wallet.py",
        "examples/verify_server.py",
        "LICENSE-MIT",
        "LICENSE-APACHE",
        "README.md",
        "CHANGELOG.md",
        "SECURITY.md",
        "pyproject.toml",
        "src/did_session/py.typed",
        "src/did_session/crypto/_noble_k1.js",
        f"src/{NOBLE_LICENSE}",
    ]:
        assert path in sdist_names, path
    top = {name.split("/", 1)[0] for name in sdist_names}
    assert not top & {"node_modules", "playwright", "web", "tools", "bench", "docs", ".build"}
    assert not any(name.startswith("tests/pyodide/") for name in sdist_names)


# ---- one version, a README that renders on PyPI -------------------------------------------

_WHEEL_NAME = re.compile(r"did_session-([^/\"\s]+)-py3-none-any\.whl")


def test_readme_names_this_version() -> None:
    # pyproject.toml reads the version from __init__.py (dynamic); the README's examples
    # and the demo's config must name the same wheel (tools/build.py also rewrites the served
    # copies of web/*.json to the wheel it built).
    found = _WHEEL_NAME.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    assert found
    assert set(found) == {VERSION}


def test_demo_config_names_this_version() -> None:
    configs = sorted((ROOT / "web").glob("*.json"))
    if not configs:
        pytest.skip("web/ is absent (an sdist): no demo configuration to check")
    for config in configs:
        assert set(_WHEEL_NAME.findall(config.read_text(encoding="utf-8"))) <= {VERSION}, config


def test_readme_has_no_relative_image() -> None:
    # PyPI shows the README alone: a relative image is a broken picture there.
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text) + re.findall(
        r"<img[^>]*src=[\"']([^\"']+)", text
    )
    assert [src for src in images if not src.startswith("https://")] == []
