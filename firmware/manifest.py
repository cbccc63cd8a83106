"""The firmware manifest: what a flashed folder must hold, file by file, with SHA-256 hashes.

`meso flash` writes manifest.json beside the compiled firmware (and, for a paired gun,
manifest.sig: an HMAC of it under the pairing key, which the loader main.py checks before it
imports anything); the device checks it at every boot (firmware/boot.py) and `meso verify`
compares the device's files with it. No build time is in it: the same source and compiler
give the same bytes and the same id. The same functions run under CPython and MicroPython.
"""

import hashlib
import json
import os

from binascii import hexlify

from firmware.wire.lock import hmac_sha256

NAME = "manifest.json"
SIG = "manifest.sig"  # hex HMAC-SHA256(pairing key, SIG_DOMAIN | manifest.json's bytes)
SIG_NEW = SIG + ".new"  # the signature under the next key, while a paired gun is re-paired
SIG_DOMAIN = b"mesogun-fw-1"  # main.py holds the same: it imports nothing of a firmware
TRIAL = "trial"  # names the folder the loader boots once, on trial, until it is confirmed
LOADER = "main.py"  # the loader at the flash root, outside every firmware folder
ACTIVE = "active"  # names the firmware folder the loader boots
FORMAT = 2  # 2: source commit and compiler instead of a build time
_CHUNK = 512


def sha256_file(path):
    """Hex SHA-256 of a file, read in chunks (a board has little RAM), or None if missing."""
    h = hashlib.sha256()
    buf = bytearray(_CHUNK)
    mv = memoryview(buf)
    try:
        with open(path, "rb") as f:
            while True:
                n = f.readinto(buf)
                if not n:
                    break
                h.update(mv[:n])
    except OSError:
        return None
    return hexlify(h.digest()).decode()


def sha256_hex(data):
    return hexlify(hashlib.sha256(data).digest()).decode()


def make(files, version, board, mpy_arch, commit, dirty, compiler, loader_sha):
    """The manifest for a build: files maps a path inside the folder to its hex SHA-256;
    commit is the source commit built ("unknown" without git), dirty whether the built
    files had uncommitted changes, compiler the mpy-cross version that made the files."""
    return {
        "format": FORMAT,
        "version": version,
        "board": board,
        "mpy_arch": mpy_arch,
        "commit": commit,
        "dirty": dirty,
        "compiler": compiler,
        "loader_sha256": loader_sha,
        "files": files,
    }


def signature(key, manifest_bytes):
    """manifest.sig's content for a paired gun's key: hex HMAC-SHA256 over the manifest."""
    return hexlify(hmac_sha256(key, SIG_DOMAIN + bytes(manifest_bytes)))


def sign_for(folder, key):
    """Before a new pairing key takes effect, the gun signs the firmware it runs under it.

    The signature goes to manifest.sig.new, which the loader accepts beside manifest.sig, so
    a cut before the key commits leaves the old key and its manifest.sig in force, and a cut
    after it leaves manifest.sig.new matching the new key: the gun boots either way. Written
    in place, not through a temporary file: the loader refuses files the manifest does not
    name, and a torn signature simply matches no key."""
    with open(folder + "/" + NAME, "rb") as f:
        raw = f.read()
    with open(folder + "/" + SIG_NEW, "wb") as f:
        f.write(signature(key, raw))


def settle_signature(folder):
    """The new key is in force: its signature becomes manifest.sig (the loader takes either
    while this runs; remove first, as FAT's rename does not replace)."""
    try:
        os.remove(folder + "/" + SIG)
    except OSError:
        pass
    os.rename(folder + "/" + SIG_NEW, folder + "/" + SIG)


def source_text(commit, dirty):
    """The source a manifest records, for people: 'abc123...', '... (dirty)', 'unknown'."""
    commit = commit or "unknown"
    return commit + " (dirty)" if dirty else commit


def dumps(manifest):
    """Canonical JSON (sorted keys), so a manifest hashes the same wherever it is written."""
    return json.dumps(manifest, sort_keys=True, separators=(",", ":"))


def load(folder):
    """The folder's manifest as a dict, or None if it is missing or unreadable."""
    try:
        with open(folder + "/" + NAME) as f:
            m = json.load(f)
    except (OSError, ValueError):
        return None
    if not isinstance(m, dict) or not isinstance(m.get("files"), dict):
        return None
    return m


def _entries(path):
    """(name, is_dir) of a folder's entries, on MicroPython (ilistdir) and CPython."""
    if hasattr(os, "ilistdir"):
        return [(e[0], e[1] == 0x4000) for e in os.ilistdir(path)]
    return [(e.name, e.is_dir()) for e in os.scandir(path)]


def _walk(folder, prefix, out):
    for name, is_dir in _entries(folder + "/" + prefix if prefix else folder):
        rel = prefix + "/" + name if prefix else name
        if is_dir:
            _walk(folder, rel, out)
        else:
            out.append(rel)


def files_in(folder):
    """Every file under folder, as paths relative to it, sorted."""
    out = []
    _walk(folder, "", out)
    out.sort()
    return out


def check(folder, root=""):
    """Problems of a flashed folder against its manifest, as (path, what) pairs; [] if none.

    Missing, changed and extra files are all reported: an extra .mpy could shadow a module.
    root is where the loader lives (the flash root)."""
    m = load(folder)
    if m is None:
        return [(NAME, "missing or unreadable")]
    problems = []
    expected = m["files"]
    present = [p for p in files_in(folder) if p not in (NAME, SIG, SIG_NEW) and not p.endswith(".tmp")]
    for path in sorted(expected):
        got = sha256_file(folder + "/" + path)
        if got is None:
            problems.append((path, "missing"))
        elif got != expected[path]:
            problems.append((path, "changed (SHA-256 differs from the manifest)"))
    for path in present:
        if path not in expected:
            problems.append((path, "not in the manifest"))
    loader_sha = m.get("loader_sha256")
    if loader_sha:
        got = sha256_file((root + "/" if root else "") + LOADER)
        if got != loader_sha:
            problems.append(("/" + LOADER, "missing" if got is None else "changed"))
    return problems


def describe(problems):
    """Problems as one line for a status report."""
    return "; ".join(["%s: %s" % p for p in problems])
