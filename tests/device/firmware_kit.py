"""Firmware variants for the device tests: modules that leave a marker, rebuilt manifests."""

import hashlib
import json
import os
import subprocess
import time

from firmware import manifest
from host.flash.build import Build, mpy_cross


def compile_source(tmp_path, source, name="variant"):
    """mpy-cross (host arch, as the unix board's build) of one module's source."""
    src = tmp_path / (name + ".py")
    src.write_text(source)
    out = tmp_path / (name + ".mpy")
    subprocess.run([mpy_cross(), "-o", str(out), str(src)], check=True, capture_output=True)
    return out.read_bytes()


def marker_source(marker, label):
    """A module that, if it is ever imported, appends label to the file marker."""
    return "f = open(%r, 'a')\nf.write(%r)\nf.close()\n" % (str(marker), label + "\n")


def ctrl_c_to_stuck(board, port, data, listen_s=2.0):
    """Send data (a Ctrl-C) to a gun stuck while it boots; return what it printed over
    listen_s once the board has delivered the bytes, sure that the same interpreter still
    runs its firmware: a REPL would wait on its terminal (state S)."""
    from sim.board import READY_TIMEOUT_S

    boots, pid, sent = board.boots, board.pid, board.from_host + len(data)
    port.write(data)
    heard = b""
    end = time.monotonic() + READY_TIMEOUT_S + 60
    while (board.from_host < sent or board.held_bytes) and time.monotonic() < end:
        heard += port.read(4096)  # held while it never reads its terminal
    assert not board.held_bytes, "the board never delivered the host's bytes"
    end = time.monotonic() + listen_s
    while time.monotonic() < end:
        heard += port.read(4096)
    assert board.boots == boots, "the interpreter ended: %s" % board.events
    with open("/proc/%d/stat" % pid) as f:
        state = f.read().rsplit(")", 1)[1].split()[0]
    assert state == "R", "the interpreter waits (%s): %r" % (state, heard)
    return heard


def variant(build, replaced):
    """build with some files replaced (path -> bytes) and a manifest that matches them."""
    files = dict(build.files)
    files.update(replaced)
    m = dict(build.manifest, files={p: hashlib.sha256(d).hexdigest() for p, d in files.items()})
    return Build(build.board, files, m)


def rewrite_manifest(folder, files, key=None):
    """Give folder a manifest whose hashes match files (path -> bytes) and, with key, a
    valid signature; without key, the old manifest.sig stays (now stale)."""
    path = os.path.join(folder, manifest.NAME)
    with open(path) as f:
        m = json.load(f)
    for rel, data in files.items():
        m["files"][rel] = hashlib.sha256(data).hexdigest()
    raw = manifest.dumps(m).encode()
    with open(path, "wb") as f:
        f.write(raw)
    if key is not None:
        with open(os.path.join(folder, manifest.SIG), "wb") as f:
            f.write(manifest.signature(key, raw))
