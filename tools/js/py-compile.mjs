// Add Pyodide's bytecode to our wheel, for the site: node tools/js/py-compile.mjs IN.whl OUT.whl
//
// Compiling the package's sources is most of what importing it costs in the page (about
// 100 ms of WebAssembly CPU for ~40 modules, on every page load: Pyodide's file system is
// fresh each time). So the wheel served to browsers also carries
// `__pycache__/<module>.cpython-3XY.pyc` for the Python of the npm Pyodide, compiled BY that
// Pyodide (the host Python may be another version: the bytecode format is per version).
// They are "unchecked-hash" pycs (PEP 552): used without comparing them with the source,
// whose mtime an unzip does not keep; the .py files stay, for tracebacks. Other Pythons
// ignore another version's __pycache__ entries, so the wheel still installs anywhere.
// RECORD lists the new files. Run by tools/build.py (no network: Pyodide from node_modules).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node tools/js/py-compile.mjs IN.whl OUT.whl");
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { loadPyodide } = await import(join(root, "node_modules", "pyodide", "pyodide.mjs"));
const pyodide = await loadPyodide({ indexURL: join(root, "node_modules", "pyodide") + "/" });
pyodide.FS.writeFile("/tmp/in.whl", readFileSync(input));
pyodide.runPython(String.raw`
import base64, hashlib, importlib.util, os, py_compile, zipfile

FIXED = (1980, 1, 1, 0, 0, 0)  # reproducible archive entries

def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"

with zipfile.ZipFile("/tmp/in.whl") as src, zipfile.ZipFile("/tmp/out.whl", "w") as out:
    names = src.namelist()
    (record,) = [n for n in names if n.endswith(".dist-info/RECORD")]
    added = []
    for info in src.infolist():
        if info.filename == record:
            continue
        data = src.read(info)
        out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        if not info.filename.endswith(".py"):
            continue
        path = "/tmp/src/" + info.filename
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        cfile = importlib.util.cache_from_source(path)
        py_compile.compile(
            path, cfile=cfile, dfile=info.filename, doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        name = os.path.relpath(cfile, "/tmp/src")
        with open(cfile, "rb") as f:
            added.append((name, f.read()))
    for name, data in added:
        out.writestr(zipfile.ZipInfo(name, FIXED), data, compress_type=zipfile.ZIP_DEFLATED)
    lines = src.read(record).decode().splitlines(keepends=True)
    lines[-1:-1] = [record_line(name, data) for name, data in added]  # RECORD stays last
    out.writestr(src.getinfo(record), "".join(lines), compress_type=zipfile.ZIP_DEFLATED)
`);
writeFileSync(output, pyodide.FS.readFile("/tmp/out.whl"));
