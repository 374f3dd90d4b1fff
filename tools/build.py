#!/usr/bin/env python3
"""Build ``.build/``: everything the browser side needs, from registries only.

Run with the dev virtualenv's Python (``./dev setup`` does it)::

    .venv/bin/python tools/build.py [--clean] [--verbose]

Inputs: ``node_modules/`` (``npm ci`` from package-lock.json), PyPI wheels pinned below (by
version and sha256, downloaded with the venv's pip), the project's sources.
Outputs (all gitignored):

- ``.build/site/``           static site served by ``tools/serve.py``:
    ``pyodide/``   npm pyodide runtime + micropip wheel, lock rewritten so that
                   ``loadPackage('micropip')`` and PyScript ``packages`` work offline;
    ``wheels/``    our wheel, its PyPI runtime deps (none today), ``manifest.json``, and a
                   PEP 503 ``simple/`` index for ``micropip.install(..., index_urls=[...])``;
    ``js/``        ``test-wallet.js`` (ethers v6 EIP-1193 test wallet),
                   ``solana-test-wallet.js`` (an @noble/curves Ed25519 Solana test wallet) and
                   ``did-session-js.js`` (npm did-session 4.0.0 as ``window.DIDSessionJS``);
    ``pyscript/``  ``@pyscript/core`` dist;  ``harness/``  the Playwright test harness;
    ``snapshot/``  a Pyodide memory snapshot with did_session imported + ``snapshot.json``
                   (made in Chromium by tools/js/make-snapshot.js; loaded by
                   web/did-session-boot.mjs);
    plus a copy of ``web/`` (the demo) at the root, ``sw.js`` stamped with a version.
- ``.build/pyodide-dist/``   ``--dist-dir`` for pytest-pyodide: npm pyodide + the wheels
  ``run_in_pyodide`` loads (pytest, tblib and deps) + our wheel as lock package ``did-session``.
- ``.build/cache/``          downloaded wheels (verified against the pinned sha256).
- ``.build/stamps/``         input fingerprints: a step whose inputs did not change is skipped,
  so a no-op build takes well under a second.

Stdlib only, plus pip's vendored ``packaging`` for environment markers (pip is in every venv).

Pitfalls learned the hard way (see also ../shared/notes/browser-toolchain.md):

- npm ``pyodide`` ships the runtime only: no wheels, not even micropip. Its
  ``pyodide-lock.json`` still lists ~350 packages whose files are absent; that is harmless as
  long as nothing asks for them.
- PyPI wheels have different sha256 values from Pyodide's own builds of the same version, and
  Pyodide checks the lock's sha256 (SRI) when loading by name: every wheel we add gets its lock
  entry rewritten (file_name, version, sha256, depends, imports).
- The lock's ``depends`` describe Pyodide's build, not PyPI's wheel: ``pytest`` there depends on
  atomicwrites, attrs, more-itertools, py, setuptools, six... which PyPI pytest 8 does not need.
  We recompute ``depends`` from each wheel's METADATA, evaluating markers for Pyodide
  (sys_platform "emscripten", python from the lock's ``info.python``).
- ``pip download --python-version 3.14`` picks wheels for 3.14 but pip evaluates dependency
  markers against the *running* interpreter (3.11 here). We therefore download with
  ``--no-deps`` and resolve the closure ourselves; every wheel in it must be pinned below.
- ``pip download micropip`` without ``--python-version 3.14`` picks micropip 0.7.2.
  micropip 0.11 vendors ``packaging``: it has no runtime dependencies.
- The browser's pytest must be the host's pytest (8.4.2): pytest-pyodide rewrites assertions
  on the host and the rewritten code calls ``_pytest.assertion.rewrite`` helpers in the page.
  (Host pytest must be < 9: pytest 9 breaks pytest-pyodide 0.59.2 at collection.)
- ``pyodide.loadPackage(url)`` resolves no dependencies and resolves successfully even when a
  wheel failed: the harness collects ``errorCallback`` messages and fails on any.
- Never add PyPI ``dag-cbor``/``multiformats``: ``multiformats`` <-> ``multiformats-config`` is a
  dependency cycle on which Pyodide's lock-based loading deadlocks silently. ``resolve_closure``
  refuses cycles for that reason.
- hatchling refuses to build when ``readme = "README.md"`` is missing. Its wheels are
  reproducible (fixed timestamps), so an unchanged source tree gives a byte-identical wheel
  and the same sha256 in the locks and the simple index.
- micropip's simple-index client appends ``/<name>/`` to the index URL and accepts
  ``text/html`` (PEP 503); relative ``href`` values are joined to the index URL and the link's
  ``#sha256=`` fragment is verified. The index URL must be ABSOLUTE: with a relative one
  (``"../wheels/simple"``) the index page loads but the wheel download fails with "Cannot
  download from a non-remote location". Pages compute it: ``new URL("../wheels/simple",
  location.href)``.
- esbuild is run from node_modules (npm 11 may skip esbuild's postinstall script when install
  scripts are not allowed: harmless, the platform binary comes from an optionalDependency).
- Files are copied with their mtime (copy2) and generated files are rewritten only when their
  content changes, so the server's ETag/Last-Modified stay stable and warm-cache loads in the
  browser really are warm.
"""

from __future__ import annotations

import argparse
import base64
import copy
import email.parser
import functools
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / ".build"
SITE = BUILD / "site"
DIST = BUILD / "pyodide-dist"
CACHE = BUILD / "cache" / "wheels"
STAMPS = BUILD / "stamps"
NODE_MODULES = ROOT / "node_modules"
NPM_PYODIDE = NODE_MODULES / "pyodide"
NPM_PYSCRIPT_DIST = NODE_MODULES / "@pyscript" / "core" / "dist"
ESBUILD = NODE_MODULES / ".bin" / "esbuild"
JS_SOURCES = ROOT / "tools" / "js"
HARNESS = ROOT / "tools" / "harness"
WEB = ROOT / "web"

# Pure-Python wheels from PyPI, pinned by version and sha256 of the py3-none-any wheel.
# Versions are those of npm pyodide 314.0.7's lock where PyPI has them (same code as
# Pyodide's own build), except pytest, which must match the host's pytest (see above).
PYPI_WHEELS: dict[str, tuple[str, str]] = {
    "micropip": ("0.11.1", "768de165adb8e66906039d8fec4127a57f522dfdf8e6fbff877a4616941ecfd3"),
    "pytest": ("8.4.2", "872f880de3fc3a5bdc88a11b39c9710c3497a547cfa9320bc3c5e62fbf272e79"),
    "tblib": ("3.2.2", "26bdccf339bcce6a88b2b5432c988b266ebbe63a4e593f6b578b1d2e723d2b76"),
    "iniconfig": ("2.3.0", "f631c04d2c48c52b84d0d0549c99ff3859c98df65b3101406327ecc7d53fbf12"),
    "packaging": ("26.1", "5d9c0669c6285e491e0ced2eee587eaf67b670d94a19e94e3984a481aba6802f"),
    "pluggy": ("1.6.0", "e920276dd6813095e9377c0bc5566d94c932c33b27a3e3945d8389c374dd4746"),
    "pygments": ("2.20.0", "81a9e26dd42fd28a23a2d169d86d7ac03b46e2f8b59ed4698fb4785f946d0176"),
}
# Roots of the closures added to each lock (dependencies are resolved from METADATA).
SITE_LOCK_ROOTS = ["micropip"]
# run_in_pyodide always loads pytest (assertion rewriting) and tblib (tracebacks).
DIST_LOCK_ROOTS = ["micropip", "pytest", "tblib"]

VERBOSE = False


def log(msg: str) -> None:
    print(f"build.py: {msg}", flush=True)


def debug(msg: str) -> None:
    if VERBOSE:
        log(msg)


# --------------------------------------------------------------------------- small helpers


def canonical(name: str) -> str:
    """PEP 503 normalised name (also Pyodide's lock key form)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fingerprint(*parts: object) -> str:
    """Hash of strings, bytes and files/directories (content + relative path)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, Path):
            files = sorted(p for p in part.rglob("*") if p.is_file()) if part.is_dir() else [part]
            for f in files:
                if "__pycache__" in f.parts or f.suffix == ".pyc":
                    continue
                h.update(str(f.relative_to(ROOT) if f.is_relative_to(ROOT) else f).encode())
                h.update(f.read_bytes() if f.exists() else b"<missing>")
        elif isinstance(part, bytes):
            h.update(part)
        else:
            h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()


SELF_FP = fingerprint(Path(__file__))


def npm_fingerprint() -> str:
    # npm writes node_modules/.package-lock.json describing what is really installed.
    hidden = NODE_MODULES / ".package-lock.json"
    return fingerprint(hidden if hidden.exists() else ROOT / "package-lock.json")


def write_if_changed(path: Path, data: bytes | str) -> bool:
    if isinstance(data, str):
        data = data.encode()
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def copy_if_changed(src: Path, dst: Path) -> bool:
    if dst.exists():
        s, d = src.stat(), dst.stat()
        if s.st_size == d.st_size and int(s.st_mtime) == int(d.st_mtime):
            return False
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)
    return True


def prune(dst: Path, keep: Callable[[Path], bool]) -> None:
    """Delete files under ``dst`` whose relative path is not ``keep``-ed, then empty dirs."""
    if not dst.is_dir():
        return
    for p in sorted(dst.rglob("*"), reverse=True):
        rel = p.relative_to(dst)
        if p.is_file() and not keep(rel):
            p.unlink()
        elif p.is_dir() and not any(p.iterdir()):
            p.rmdir()


def mirror(
    src: Path,
    dst: Path,
    *,
    keep: Callable[[Path], bool] = lambda rel: False,
    generated: frozenset[Path] = frozenset(),
) -> None:
    """Make ``dst`` a copy of ``src``; removes extra files in ``dst`` unless ``keep(rel)``.
    Files in ``generated`` are neither copied nor removed (the caller writes them)."""
    wanted = {p.relative_to(src) for p in src.rglob("*") if p.is_file()} if src.is_dir() else set()
    for rel in sorted(wanted - generated):
        copy_if_changed(src / rel, dst / rel)
    prune(dst, lambda rel: rel in wanted or keep(rel))


class Step:
    """A build step skipped when its input fingerprint and outputs are unchanged."""

    def __init__(self, name: str, fp: str, outputs: Iterable[Path]) -> None:
        self.name, self.fp, self.outputs = name, fingerprint(SELF_FP, fp), list(outputs)
        self.stamp = STAMPS / name

    def up_to_date(self) -> bool:
        return (
            self.stamp.exists()
            and self.stamp.read_text() == self.fp
            and all(o.exists() for o in self.outputs)
        )

    def run(self, action: Callable[[], None]) -> None:
        if self.up_to_date():
            debug(f"{self.name}: up to date")
            return
        t0 = time.perf_counter()
        self.stamp.unlink(missing_ok=True)
        action()
        write_if_changed(self.stamp, self.fp)
        log(f"{self.name}: built in {time.perf_counter() - t0:.1f} s")


# --------------------------------------------------------------------------- wheels


@dataclass(frozen=True)
class WheelInfo:
    path: Path
    name: str  # as in METADATA
    version: str
    sha256: str
    requires: tuple[str, ...]  # canonical names of runtime deps, markers evaluated for Pyodide
    imports: tuple[str, ...]  # top-level import names

    @property
    def key(self) -> str:
        return canonical(self.name)


@functools.cache
def pyodide_python_version() -> str:
    lock = json.loads((NPM_PYODIDE / "pyodide-lock.json").read_text())
    return str(lock["info"]["python"])  # e.g. "3.14.2"


def marker_env() -> dict[str, str]:
    full = pyodide_python_version()
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "os_name": "posix",
        "platform_machine": "wasm32",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": "Emscripten",
        "platform_version": "",
        "python_full_version": full,
        "python_version": ".".join(full.split(".")[:2]),
        "sys_platform": "emscripten",
        "extra": "",
    }


def read_wheel(path: Path) -> WheelInfo:
    from pip._vendor.packaging.requirements import Requirement  # pip is in every venv

    env = marker_env()
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        meta_name = next(n for n in names if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
        meta = email.parser.BytesParser().parsebytes(zf.read(meta_name), headersonly=True)
        top_level_name = meta_name.replace("METADATA", "top_level.txt")
        if top_level_name in names:
            imports = zf.read(top_level_name).decode().split()
        else:
            tops = set()
            for n in names:
                first = n.split("/", 1)[0]
                if first.endswith((".dist-info", ".data")):
                    continue
                if "/" in n:
                    tops.add(first)
                elif first.endswith(".py"):
                    tops.add(first[:-3])
            imports = sorted(tops)
    requires = []
    for spec in meta.get_all("Requires-Dist") or []:
        req = Requirement(spec)
        if req.marker is None or req.marker.evaluate(env):
            requires.append(canonical(req.name))
    return WheelInfo(
        path=path,
        name=meta["Name"],
        version=meta["Version"],
        sha256=sha256_file(path),
        requires=tuple(sorted(set(requires))),
        imports=tuple(sorted(imports)),
    )


def cached_wheel(name: str) -> Path | None:
    version, sha = PYPI_WHEELS[name]
    prefix = f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}-"
    for cached in CACHE.glob("*.whl"):
        if cached.name.lower().startswith(prefix) and sha256_file(cached) == sha:
            return cached
    return None


def download_pinned(names: Iterable[str]) -> None:
    """Download the pinned wheels of ``names`` missing from .build/cache: ONE pip process
    (about 0.8 s of start-up each), sha256-checked before entering the cache."""
    missing = [n for n in names if cached_wheel(n) is None]
    if not missing:
        return
    CACHE.mkdir(parents=True, exist_ok=True)
    specs = [f"{n}=={PYPI_WHEELS[n][0]}" for n in missing]
    log(f"downloading from PyPI: {' '.join(specs)}")
    with tempfile.TemporaryDirectory(dir=BUILD) as tmp:
        # Pure-Python wheels only, chosen for Pyodide's Python; --no-deps: see module docstring.
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
               "--no-deps", "--only-binary=:all:", "--implementation", "py", "--abi", "none",
               "--platform", "any", "--python-version", pyodide_python_version().rsplit(".", 1)[0],
               "-d", tmp, *specs]  # fmt: skip
        subprocess.run(cmd, check=True)
        for got in Path(tmp).glob("*.whl"):
            actual = sha256_file(got)
            if actual not in {sha for _, sha in PYPI_WHEELS.values()}:
                raise SystemExit(f"build.py: sha256 of {got.name} is {actual}, not the pinned one")
            os.replace(got, CACHE / got.name)


def fetch_pypi_wheel(name: str) -> Path:
    """The pinned PyPI wheel of ``name`` (downloaded once into .build/cache, sha256-checked)."""
    if name not in PYPI_WHEELS:
        raise SystemExit(
            f"build.py: {name!r} is needed in the browser but not pinned in PYPI_WHEELS; "
            f"add it (version + sha256 of its py3-none-any wheel) to tools/build.py"
        )
    download_pinned([name])
    path = cached_wheel(name)
    if path is None:
        raise SystemExit(f"build.py: pip did not download {name}=={PYPI_WHEELS[name][0]}")
    return path


def resolve_closure(roots: Iterable[str], local: dict[str, WheelInfo]) -> list[WheelInfo]:
    """Wheels for ``roots`` and their runtime deps, dependencies first. ``local`` wins over PyPI."""
    order: list[WheelInfo] = []
    done: set[str] = set()
    visiting: list[str] = []

    def visit(name: str) -> None:
        key = canonical(name)
        if key in done:
            return
        if key in visiting:
            cycle = " -> ".join([*visiting[visiting.index(key) :], key])
            raise SystemExit(
                f"build.py: dependency cycle {cycle}: Pyodide's lock loader hangs on it"
            )
        visiting.append(key)
        info = local.get(key) or read_wheel(fetch_pypi_wheel(key))
        for dep in info.requires:
            visit(dep)
        visiting.pop()
        done.add(key)
        order.append(info)

    for root in roots:
        visit(root)
    return order


def lock_with(base: dict[str, Any], wheels: Iterable[WheelInfo]) -> dict[str, Any]:
    """A copy of a pyodide-lock.json with entries for ``wheels`` (added or replaced)."""
    lock = copy.deepcopy(base)
    packages = lock["packages"]
    for w in wheels:
        old = packages.get(w.key, {})
        packages[w.key] = {
            **old,
            "name": old.get("name", w.name),
            "version": w.version,
            "file_name": w.path.name,
            "install_dir": "site",
            "sha256": w.sha256,
            "package_type": "package",
            "imports": old.get("imports") or list(w.imports),
            "depends": list(w.requires),
            "unvendored_tests": False,
            "tool": old.get("tool", {}),
        }
        for dep in w.requires:  # every dependency must be loadable from this lock
            if dep not in packages:
                raise SystemExit(f"build.py: {w.key} depends on {dep}, absent from the lock")
    lock["packages"] = dict(sorted(packages.items()))
    return lock


def pyodide_folder(dst: Path, wheels: list[WheelInfo]) -> None:
    """npm pyodide runtime + ``wheels`` + a lock listing them, mirrored into ``dst``."""
    base = json.loads((NPM_PYODIDE / "pyodide-lock.json").read_text())
    runtime = [
        p
        for p in NPM_PYODIDE.iterdir()
        if p.is_file()
        and p.name not in ("pyodide-lock.json", "package.json", "README.md")
        and not p.name.endswith(".d.ts")
    ]
    wanted = {p.name for p in runtime} | {w.path.name for w in wheels} | {"pyodide-lock.json"}
    for p in runtime:
        copy_if_changed(p, dst / p.name)
    for w in wheels:
        copy_if_changed(w.path, dst / w.path.name)
    write_if_changed(
        dst / "pyodide-lock.json", json.dumps(lock_with(base, wheels), indent=1) + "\n"
    )
    for p in dst.iterdir():  # stale wheels from older pins
        if p.is_file() and p.name not in wanted:
            p.unlink()


# --------------------------------------------------------------------------- steps


def project_sources() -> list[Path]:
    # Everything hatchling puts in the wheel (the licences go to .dist-info/licenses/).
    return [
        ROOT / "pyproject.toml",
        ROOT / "README.md",
        ROOT / "LICENSE-MIT",
        ROOT / "LICENSE-APACHE",
        ROOT / "src" / "did_session",
    ]


PY_COMPILE = JS_SOURCES / "py-compile.mjs"
MAKE_SNAPSHOT = JS_SOURCES / "make-snapshot.js"


def build_project_wheel() -> WheelInfo:
    """Our wheel, plus Pyodide's bytecode of every module (tools/js/py-compile.mjs): the
    page then imports the package in ~45 ms instead of ~125 ms (no compiling on each load)."""
    out = BUILD / "project-wheel"
    step = Step(
        "project-wheel",
        fingerprint(*project_sources(), PY_COMPILE, NPM_PYODIDE / "package.json"),
        [out],
    )

    def action() -> None:
        if not (ROOT / "README.md").exists():
            raise SystemExit(
                "build.py: README.md is missing; hatchling refuses to build without it"
            )
        with tempfile.TemporaryDirectory(dir=BUILD) as tmp:
            cmd = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                   "--no-deps", "-w", tmp, str(ROOT)]  # fmt: skip
            try:  # hatchling in the venv: no isolated build env to fetch (saves seconds)
                import hatchling  # noqa: F401

                cmd.insert(4, "--no-build-isolation")
            except ImportError:
                pass
            subprocess.run(cmd, check=True)
            (whl,) = Path(tmp).glob("did_session-*-py3-none-any.whl")
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True)
            subprocess.run(["node", str(PY_COMPILE), str(whl), str(out / whl.name)], check=True)

    step.run(action)
    (whl,) = out.glob("*.whl")
    return read_wheel(whl)


def build_site_pyodide() -> None:
    wheels = resolve_closure(SITE_LOCK_ROOTS, {})
    step = Step(
        "site-pyodide",
        fingerprint(npm_fingerprint(), [(w.path.name, w.sha256) for w in wheels]),
        [SITE / "pyodide" / "pyodide-lock.json"],
    )
    step.run(lambda: pyodide_folder(SITE / "pyodide", wheels))


def build_pyodide_dist(project: WheelInfo) -> None:
    wheels = resolve_closure([*DIST_LOCK_ROOTS, project.key], {project.key: project})
    step = Step(
        "pyodide-dist",
        fingerprint(npm_fingerprint(), [(w.path.name, w.sha256) for w in wheels]),
        [DIST / "pyodide-lock.json"],
    )
    step.run(lambda: pyodide_folder(DIST, wheels))


def build_site_wheels(project: WheelInfo) -> None:
    """Our wheel + its runtime closure, manifest.json and a PEP 503 simple index."""
    wheels = resolve_closure([project.key], {project.key: project})
    dst = SITE / "wheels"
    step = Step(
        "site-wheels",
        fingerprint([(w.path.name, w.sha256) for w in wheels]),
        [dst / "manifest.json"],
    )

    def action() -> None:
        files: dict[Path, bytes | Path] = {}
        for w in wheels:  # dependencies first: loadPackage order does not matter, humans read it
            files[Path(w.path.name)] = w.path
        manifest = {
            "wheels": [w.path.name for w in wheels],
            "packages": {
                w.key: {
                    "name": w.name,
                    "version": w.version,
                    "file_name": w.path.name,
                    "sha256": w.sha256,
                    "imports": list(w.imports),
                    "depends": list(w.requires),
                }
                for w in wheels
            },
        }
        files[Path("manifest.json")] = (json.dumps(manifest, indent=2) + "\n").encode()
        links = []
        for w in wheels:
            href = f"../../{w.path.name}#sha256={w.sha256}"
            links.append(f'<a href="{html.escape(w.key)}/">{html.escape(w.key)}</a><br>')
            page = (
                '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" '
                f'content="1.0"><title>Links for {html.escape(w.key)}</title></head><body>\n'
                f"<h1>Links for {html.escape(w.key)}</h1>\n"
                f'<a href="{html.escape(href)}">{html.escape(w.path.name)}</a><br>\n'
                "</body></html>\n"
            )
            files[Path("simple") / w.key / "index.html"] = page.encode()
        files[Path("simple") / "index.html"] = (
            '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0">'
            "<title>Simple index</title></head><body>\n" + "\n".join(links) + "\n</body></html>\n"
        ).encode()
        for rel, content in files.items():
            if isinstance(content, Path):
                copy_if_changed(content, dst / rel)
            else:
                write_if_changed(dst / rel, content)
        prune(dst, lambda rel: rel in files)  # drop stale wheels / index pages

    step.run(action)


# What the snapshot imports: everything a dapp imports from us, and the modules the browser
# back ends and crypto need (importing them runs no JS and touches nothing of the page).
SNAPSHOT_IMPORTS = """
import did_session
from did_session import DIDSession, EthereumWebAuth, get_account_id, verify_jws
import did_session.browser
import did_session.crypto
import did_session.platform
"""


def build_snapshot(project: WheelInfo) -> None:
    """A Pyodide memory snapshot after unpacking our wheel and importing the package, made
    in headless Chromium with the site's own Pyodide and wheel (tools/js/make-snapshot.js
    says why not Node). About 5 s, only when the wheel, Pyodide or Chromium changes. Not
    byte-reproducible (the hash seed and some addresses differ per build): it is rebuilt
    with its inputs only, and the service worker's version follows its sha256."""
    dst = SITE / "snapshot"
    browser = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    step = Step(
        "snapshot",
        fingerprint(
            npm_fingerprint(),
            MAKE_SNAPSHOT,
            project.sha256,
            SNAPSHOT_IMPORTS,
            browser.resolve().stat().st_mtime_ns if browser.exists() else None,
        ),
        [dst / "snapshot.json"],
    )

    def action() -> None:
        import chromium  # tools/ (this script's directory) is on sys.path
        import serve
        from playwright.sync_api import sync_playwright

        wheel = SITE / "wheels" / project.path.name
        with tempfile.TemporaryDirectory(dir=BUILD) as tmp:
            httpd, url = serve.start_server(SITE)
            try:
                with sync_playwright() as pw:
                    b = pw.chromium.launch(executable_path=chromium.EXECUTABLE, args=chromium.FLAGS)
                    page = b.new_page(accept_downloads=True)
                    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
                    page.goto(url + "wheels/manifest.json")  # any page of the origin
                    with page.expect_download(timeout=120_000) as download:
                        meta = page.evaluate(
                            MAKE_SNAPSHOT.read_text(encoding="utf-8"),
                            {
                                "indexURL": url + "pyodide/",
                                "wheelURL": url + "wheels/" + wheel.name,
                                "imports": SNAPSHOT_IMPORTS,
                            },
                        )
                    download.value.save_as(Path(tmp) / "did_session.snapshot")
                    b.close()
            finally:
                httpd.shutdown()
                httpd.server_close()
            data = (Path(tmp) / "did_session.snapshot").read_bytes()
            digest = base64.b64encode(hashlib.sha256(data).digest()).decode()
            if len(data) != meta["bytes"] or meta["integrity"] != f"sha256-{digest}":
                raise SystemExit("build.py: the snapshot download differs from what was made")
            wheel_digest = base64.b64encode(hashlib.sha256(wheel.read_bytes()).digest()).decode()
            meta.update(
                file="did_session.snapshot",
                wheel=wheel.name,
                wheel_integrity=f"sha256-{wheel_digest}",
            )
            write_if_changed(Path(tmp) / "snapshot.json", json.dumps(meta, indent=2) + "\n")
            mirror(Path(tmp), dst)

    step.run(action)


def esbuild(entry: Path, outfile: Path) -> None:
    if not ESBUILD.exists():
        raise SystemExit("build.py: node_modules/.bin/esbuild missing: run `npm ci`")
    cmd = [str(ESBUILD), str(entry), "--bundle", "--format=iife", "--platform=browser",
           "--target=es2022", "--minify", "--legal-comments=none", "--log-level=warning",
           f"--outfile={outfile}"]  # fmt: skip
    subprocess.run(cmd, check=True, cwd=ROOT)


def build_js() -> None:
    out = SITE / "js"
    bundles = {
        "test-wallet.mjs": "test-wallet.js",
        "solana-test-wallet.mjs": "solana-test-wallet.js",
        "did-session-js.mjs": "did-session-js.js",
        "key-webauthn-js.mjs": "key-webauthn-js.js",
    }
    step = Step(
        "js-bundles",
        fingerprint(npm_fingerprint(), JS_SOURCES),
        [out / name for name in bundles.values()],
    )

    def action() -> None:
        with tempfile.TemporaryDirectory(dir=BUILD) as tmp:
            for src, name in bundles.items():
                esbuild(JS_SOURCES / src, Path(tmp) / name)
            mirror(Path(tmp), out)  # only replaced when the bundle bytes changed

    step.run(action)


def build_pyscript() -> None:
    step = Step("pyscript", npm_fingerprint(), [SITE / "pyscript" / "core.js"])
    step.run(lambda: mirror(NPM_PYSCRIPT_DIST, SITE / "pyscript"))


GENERATED_TOP = {"pyodide", "pyscript", "wheels", "js", "harness", "snapshot"}


PYSCRIPT_CONFIG = "pyscript.json"


def build_static() -> None:
    """tools/harness -> site/harness; web/* -> site/ (stale copies of removed files go).

    Also writes harness/pyscript.json, a PyScript config using the local interpreter (no CDN)
    and our wheels by relative URL (PyScript resolves those against the page).
    """
    mirror(HARNESS, SITE / "harness", keep=lambda rel: rel == Path(PYSCRIPT_CONFIG))
    manifest = json.loads((SITE / "wheels" / "manifest.json").read_text())
    config = {
        # Pyodide without JSPI, as the pages we ship (web/pyodide-no-jspi.mjs): the one way
        # to reach a PyScript worker's scope before its Pyodide starts.
        "interpreter": "../pyodide-no-jspi.mjs",
        "packages": [f"../wheels/{name}" for name in manifest["wheels"]],
    }
    write_if_changed(SITE / "harness" / PYSCRIPT_CONFIG, json.dumps(config, indent=2) + "\n")
    clash = sorted(p.name for p in WEB.iterdir() if p.name in GENERATED_TOP) if WEB.is_dir() else []
    if clash:
        raise SystemExit(f"build.py: web/ must not contain {clash}: generated into .build/site/")
    mirror(
        WEB,
        SITE,
        keep=lambda rel: rel.parts[0] in GENERATED_TOP,
        generated=frozenset({Path(SERVICE_WORKER)}),
    )
    sync_wheel_names(manifest["wheels"])
    stamp_service_worker()


SERVICE_WORKER = "sw.js"
SW_VERSION_MARK = "__SW_VERSION_0__"


def stamp_service_worker() -> None:
    """The served sw.js carries a version derived from everything it caches (the browser
    installs a new worker only when the script's bytes change, and the new version then
    replaces the old cache): Pyodide, the snapshot and wheel (snapshot.json names both by
    sha256) and the boot page files."""
    src = WEB / SERVICE_WORKER
    if not src.exists():
        return
    cached = [SITE / "snapshot" / "snapshot.json", NPM_PYODIDE / "package.json"]
    cached += sorted(p for p in WEB.iterdir() if p.suffix in (".html", ".mjs", ".js", ".css"))
    version = fingerprint(*cached)[:16]
    text = src.read_text(encoding="utf-8")
    if SW_VERSION_MARK not in text:
        raise SystemExit(f"build.py: web/{SERVICE_WORKER} lacks {SW_VERSION_MARK}")
    write_if_changed(SITE / SERVICE_WORKER, text.replace(SW_VERSION_MARK, version))


_OUR_WHEEL = re.compile(r"did_session-[^/]+-py3-none-any\.whl")


def sync_wheel_names(wheels: list[str]) -> None:
    """web/*.json name our wheel with its version (PyScript needs a file URL): in the
    served copies, write the name of the wheel just built, so that a version bump cannot
    leave the demo loading a wheel that is not there."""
    (ours,) = [name for name in wheels if _OUR_WHEEL.fullmatch(name)]
    for src in sorted(WEB.glob("*.json")) if WEB.is_dir() else []:
        text = src.read_text(encoding="utf-8")
        write_if_changed(SITE / src.name, _OUR_WHEEL.sub(ours, text))


def check_inputs() -> None:
    if not (NPM_PYODIDE / "pyodide.asm.wasm").exists():
        raise SystemExit("build.py: node_modules/pyodide missing: run `npm ci` (./dev setup)")
    want = json.loads((ROOT / "package.json").read_text())["devDependencies"]["pyodide"]
    have = json.loads((NPM_PYODIDE / "package.json").read_text())["version"]
    if have != want:
        raise SystemExit(
            f"build.py: node_modules has pyodide {have}, package.json pins {want}: run `npm ci`"
        )


def main(argv: list[str] | None = None) -> int:
    global VERBOSE
    parser = argparse.ArgumentParser(description="Build .build/ (site + pyodide-dist).")
    parser.add_argument(
        "--clean", action="store_true", help="remove .build/ (keeps the wheel cache)"
    )
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    VERBOSE = args.verbose
    t0 = time.perf_counter()
    if args.clean:
        for p in BUILD.iterdir() if BUILD.exists() else []:
            if p.name != "cache":
                shutil.rmtree(p) if p.is_dir() else p.unlink()
    check_inputs()
    BUILD.mkdir(exist_ok=True)
    download_pinned(PYPI_WHEELS)  # all at once (each is needed by some output)
    project = build_project_wheel()
    build_site_pyodide()
    build_site_wheels(project)
    build_snapshot(project)
    build_pyodide_dist(project)
    build_js()
    build_pyscript()
    build_static()
    debug(f"done in {time.perf_counter() - t0:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
