"""Loader at a gun's flash root: checks a firmware folder, then boots it (trial or active).

Nothing of a firmware folder is imported before this file has checked it, and this file
imports nothing of one: it is the gun's root of trust, kept small. On a paired gun (a
pairing key in data/auth.key) the folder's manifest.json must carry manifest.sig, an
HMAC-SHA256 under that key, every file must match its hash and none may be extra; a folder
that fails is never imported. The pointers `trial` and `active` must name a folder of the
flash root as `meso flash` makes them (fw-<12 hex digits>[-b]).

Trial boot (MCUboot's test/confirm swap): `meso flash` names the new folder in `trial`.
The loader boots it once, renaming `trial` to `trial.run` first; the firmware renames it
into `active` at its first handshake (firmware/trial.py). A trial that fails its check,
crashes, or is reset before it is confirmed leaves `active` naming the previous firmware,
which boots at the next reset (a crash resets at once). docs/DEVICE.md has the threat model.
"""

import hashlib
import json
import os
import sys
from binascii import hexlify

KEY = "data/auth.key"  # firmware/wire/files.py: DATA + KEY_FILE
LOG = "data/boot.log"
DOMAIN = b"mesogun-fw-1"  # firmware/manifest.py: SIG_DOMAIN
KEY_BYTES = 32
TRIAL = "trial"
RUN = "trial.run"
ACTIVE = "active"
NAME = "manifest.json"
SIG = "manifest.sig"
SIG_NEW = "manifest.sig.new"  # under the next key while `meso pair` re-pairs a paired gun
_HEX = "0123456789abcdef"


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def _text(path):
    got = _read(path)
    return None if got is None else got.decode().strip()


def _log(text):
    print("loader: " + text)
    try:
        with open(LOG, "a") as f:
            f.write(text + "\n")
    except OSError:
        pass  # no data folder yet: the console has it


def _hmac(key, msg):
    """HMAC-SHA256 (RFC 2104) from hashlib alone, like firmware/wire/lock.py's."""
    key = key + bytes(64 - len(key))
    inner = hashlib.sha256(bytes([b ^ 0x36 for b in key]))
    inner.update(msg)
    outer = hashlib.sha256(bytes([b ^ 0x5C for b in key]))
    outer.update(inner.digest())
    return outer.digest()


def _same(a, b):
    if len(a) != len(b):
        return False
    diff = 0
    for i in range(len(a)):
        diff |= a[i] ^ b[i]
    return diff == 0


def _sha(path):
    h = hashlib.sha256()
    buf = bytearray(512)
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


def _walk(folder, prefix, out):
    for e in os.ilistdir(folder + "/" + prefix if prefix else folder):
        rel = prefix + "/" + e[0] if prefix else e[0]
        if e[1] == 0x4000:
            _walk(folder, rel, out)
        else:
            out.append(rel)


def _named(folder):
    """A pointer names fw-<12 hex>[-b], a folder at the root: never '', '.', '..' or a path."""
    if not folder or len(folder) not in (15, 17) or folder[:3] != "fw-":
        return False
    return all(c in _HEX for c in folder[3:15]) and folder[15:] in ("", "-b")


def check(folder, key):
    """Why folder may not be imported, as one line, or None when it may."""
    if not _named(folder):
        return "the pointer names %r, not a firmware folder" % folder
    raw = _read(folder + "/" + NAME)
    if raw is None:
        return folder + "/" + NAME + ": missing"
    if key is None:
        return None  # an open gun: the firmware checks its files itself and will not arm
    # A damaged key boots the firmware locked (no motion; the physical recovery is there):
    # no signature can be checked, so its files are held to the manifest. Whoever can write
    # the flash could as well remove the key and have an open gun: this is no weaker.
    if len(key) == KEY_BYTES:
        want = hexlify(_hmac(key, DOMAIN + raw))
        for name in (SIG, SIG_NEW):
            sig = _read(folder + "/" + name)
            if sig is not None and _same(want, sig.strip()):
                break
        else:
            return folder + "/" + SIG + ": not signed with this gun's key"
    try:
        files = json.loads(raw)["files"]
        names = sorted(files)
    except (ValueError, KeyError, TypeError, AttributeError):
        return folder + "/" + NAME + ": unreadable"
    present = []
    _walk(folder, "", present)
    for rel in present:
        if rel not in files and rel not in (NAME, SIG, SIG_NEW):
            return folder + "/" + rel + ": not in the manifest"
    for rel in names:
        got = _sha(folder + "/" + rel)
        if got != files[rel]:
            return folder + "/" + rel + (": missing" if got is None else ": changed")
    return None


def _halt(key):
    """A paired gun that cannot boot checked firmware stays shut: no REPL, no Ctrl-C."""
    if key is None:
        return _give_keyboard()  # an open gun leaves the REPL to the engineer
    import time

    _keep_keyboard()  # again: a firmware that failed may have handed Ctrl-C back
    print("loader: halted; see docs/DEVICE.md, Recovery")
    while True:
        time.sleep(1)


def _choose(key):
    """The folder to boot and whether it is on trial, or (None, False)."""
    active = _text(ACTIVE)
    stale = _text(RUN)
    if stale is not None:
        os.remove(RUN)  # the last trial was never confirmed: its one boot is spent
        if stale != active:
            _log("trial %s was not confirmed: back to %s" % (stale, active))
    trial = _text(TRIAL)
    if trial is not None:
        os.rename(TRIAL, RUN)  # before anything of it runs: a reset now rolls back
        why = check(trial, key)
        if why is None:
            return trial, True
        os.remove(RUN)
        _log("trial refused: " + why)
    if active is None:
        print("no firmware here: flash one with meso flash")
        return None, False
    why = check(active, key)
    if why is not None:
        _log("refused: " + why)
        return None, False
    return active, False


def _keep_keyboard():
    """Ctrl-C is data from the loader on, on every gun: a host that starts talking while the
    gun boots sends frames holding 0x03 (HELLO's own type), which must not break a firmware
    still importing (or hung before its link takes the port) into the REPL. On a paired gun
    the REPL would open the lock; on an open gun it would leave the gun at a prompt that the
    host's frames then type into. The running app owns the port (firmware/link.py) and is
    left by MAINT; an open gun whose boot fails gets Ctrl-C back (_give_keyboard)."""
    import micropython

    micropython.kbd_intr(-1)


def _give_keyboard():
    """An open gun that cannot boot leaves the REPL to the engineer, with Ctrl-C."""
    import micropython

    micropython.kbd_intr(3)


def _boot():
    _keep_keyboard()
    key = _read(KEY)
    folder, trial = _choose(key)
    if folder is None:
        return _halt(key)
    sys.path.insert(0, folder)
    try:
        from firmware import boot

        boot.start(folder)
    except Exception as e:  # whatever the firmware raised, the loader decides what follows
        if trial and _text(RUN) == folder:
            _log("trial %s failed before its handshake: %r; resetting" % (folder, e))
            import machine

            machine.soft_reset()
        if key is None:
            _give_keyboard()
            raise
        _log("%s failed: %r" % (folder, e))
        _halt(key)


_boot()
