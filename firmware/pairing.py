"""The pairing key on the gun's flash: what a boot finds, the two-phase pairing, the recovery.

A boot finds the gun open (no key file at all), clinical (a good committed key), pairing (a
staged key waiting for the laptop's signed PAIR_CONFIRM) or locked: any key file present but
not valid, including what a cut write leaves (name.tmp), fails closed. Only the physical
recovery (the trigger held with the nose free for RECOVERY_HOLD_MS at power-up) leaves the
locked state: it erases the key files and the stored protocol, and says so in the audit log.
"""

import hashlib

from firmware import hal as H
from firmware.compat import const
from firmware.link_store import STORED
from firmware.wire.files import KEY_FILE, STAGED_FILE
from firmware.wire.lock import KEY_BYTES, key_id  # noqa: F401 - the gun names it here

OPEN = "open"
CLINICAL = "clinical"
PAIRING = "pairing"
LOCKED = "locked"
AUDIT = "audit.log"
FAILS_FILE = "auth.fails"  # the failure count of earlier firmware: erased with the key
RECOVERY_HOLD_MS = const(3000)
_SAMPLE_US = const(50000)
KEY_FILES = (KEY_FILE, STAGED_FILE, KEY_FILE + ".tmp", STAGED_FILE + ".tmp")


def staged_bytes(key):
    """What PAIR_BEGIN stores: the key then its SHA-256, so a damaged file shows."""
    return bytes(key) + hashlib.sha256(key).digest()


def _staged(raw):
    if len(raw) == 2 * KEY_BYTES and hashlib.sha256(raw[:KEY_BYTES]).digest() == raw[KEY_BYTES:]:
        return bytes(raw[:KEY_BYTES])
    return None


def load(hal):
    """(mode, committed key or None, staged key or None, problems) from the flash."""
    raw = hal.read_file(KEY_FILE)
    key = bytes(raw) if raw is not None and len(raw) == KEY_BYTES else None
    raw_staged = hal.read_file(STAGED_FILE)
    problems = []
    if raw is not None and key is None:
        problems.append("%s: not a %d-byte key" % (KEY_FILE, KEY_BYTES))
    if raw_staged is not None:
        staged = _staged(raw_staged)
        if staged is None:
            return LOCKED, None, None, problems + ["%s: damaged staged key" % STAGED_FILE]
        if key == staged:
            hal.remove_file(STAGED_FILE)  # the commit was cut after its key was written
            return CLINICAL, key, None, problems
        return PAIRING, key, staged, problems
    if raw is not None:
        return (CLINICAL, key, None, problems) if key else (LOCKED, None, None, problems)
    torn = [n for n in (KEY_FILE + ".tmp", STAGED_FILE + ".tmp") if hal.read_file(n) is not None]
    if torn:
        return LOCKED, None, None, ["%s: a key write was cut" % n for n in torn]
    return OPEN, None, None, problems


def stage(hal, key):
    hal.write_file_atomic(STAGED_FILE, staged_bytes(key))


def commit(hal, key):
    """The laptop proved it holds the staged key: it becomes the gun's key."""
    hal.write_file_atomic(KEY_FILE, key)
    hal.remove_file(STAGED_FILE)


def recovery_held(hal, now_ms):
    """True if the trigger is held with the nose free from power-up for RECOVERY_HOLD_MS."""
    start = now_ms()
    while True:
        bits = hal.inputs()
        if not bits & H.IN_TRIGGER or bits & H.IN_CONTACT:
            return False
        if now_ms() - start >= RECOVERY_HOLD_MS:
            return True
        hal.idle((hal.ticks() + _SAMPLE_US * hal.ticks_per_s // 1000000) & hal.tick_mask)


def recover(hal):
    """The physical recovery: the key files and the stored protocol erased, logged."""
    for name in KEY_FILES + (FAILS_FILE, STORED):
        hal.remove_file(name)
    try:
        hal.append_file(AUDIT, b"recovery: trigger held at power-up: key and stored protocol "
                               b"erased, open mode\n")
    except OSError:
        pass
