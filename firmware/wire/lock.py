"""The clinical lock's contract: key and tag sizes, how a tag is made, verdicts, and which
commands a paired gun accepts only signed. The gun's side (challenges, counters, lockout)
is firmware/auth.py; the host signs with tag() from here.

A tag is HMAC(key, DOMAIN | nonce | counter | message id | payload), HMAC-SHA256 built on
hashlib (MicroPython has no hmac module) and truncated to TAG_BYTES.
"""

import hashlib
import struct

from firmware.compat import const
from firmware.wire import messages as M
from firmware.wire.messages import (  # noqa: F401 - the lock's messages, by name
    AUTH_BEGIN,
    AUTH_RESULT,
    CHALLENGE,
    MAINT,
    PAIR_BEGIN,
    PAIR_CONFIRM,
    PAIR_KEY,
    SETTINGS,
    SIGNED,
)

KEY_BYTES = const(32)
NONCE_BYTES = const(16)
TAG_BYTES = const(16)  # HMAC-SHA256 truncated to 128 bits (RFC 2104 section 5)
_BLOCK = const(64)
DOMAIN = b"mesogun-auth-1"

# Verdicts in AUTH_RESULT; OK is the only one that lets a command through.
OK = const(0)
NO_KEY = const(1)
NO_CHALLENGE = const(2)
REPLAYED = const(3)
BAD_TAG = const(4)
LOCKED = const(5)
REJECTED = const(6)  # authentic but refused on its merits (e.g. invalid settings)
VERDICTS = ("ok", "device not paired", "no challenge: authenticate first", "replayed",
            "bad authentication tag", "locked out after repeated failures", "rejected")

# CHALLENGE.paired
PAIR_NONE = const(0)  # open: no key
PAIR_PAIRED = const(1)  # a committed key
PAIR_STAGED = const(2)  # a staged key waiting for its PAIR_CONFIRM (locked until then)

# What a paired gun accepts unsigned: what makes it safer or tells its state, and what a
# signed command binds. Everything else is signed (deny by default: a message added to the
# table later is guarded until listed here with its reason).
UNSIGNED = (
    M.HELLO,  # the handshake; it cannot end an authenticated session (firmware/guard.py)
    M.STATUS_REQ,  # the state, and the heartbeat
    M.ABORT,  # stops the gun: the safe state
    M.PAUSE,  # stops at the next safe point
    AUTH_BEGIN,  # asks for the session's challenge (it never voids one: PROTOCOL.md)
    M.LOAD_CHUNK,  # bound by the signed LOAD_BEGIN's SHA-256: a forged chunk fails LOAD_END
)
# Signed once paired: every other message (RESUME, RUN_ZONE, ACK_FAULT, REFILLED, loads,
# END_SESSION, LOG_READ, MAINT, SETTINGS, PAIR_BEGIN...). A SIGNED frame never wraps a frame
# of link control or another SIGNED one.
GUARDED = tuple(r[0] for r in M.TABLE if r[2] != M.CTL and r[0] not in UNSIGNED
                and r[0] != SIGNED)


def hmac_sha256(key, msg):
    """HMAC-SHA256 (RFC 2104) from hashlib alone."""
    if len(key) > _BLOCK:
        key = hashlib.sha256(key).digest()
    key = bytes(key) + bytes(_BLOCK - len(key))
    inner = hashlib.sha256(bytes([b ^ 0x36 for b in key]))
    inner.update(msg)
    outer = hashlib.sha256(bytes([b ^ 0x5C for b in key]))
    outer.update(inner.digest())
    return outer.digest()


def key_id(key):
    """A key's short fingerprint (identity `key_id`): which of its keys a laptop signs with."""
    h = hashlib.sha256(DOMAIN + b"key-id" + bytes(key)).digest()
    return "".join(["%02x" % b for b in h[:4]])


def tag(key, nonce, counter, mid, payload):
    """The tag of one guarded command (mid and payload as sent inside the signed frame)."""
    msg = DOMAIN + bytes(nonce) + struct.pack("<IB", counter, mid) + bytes(payload)
    return hmac_sha256(key, msg)[:TAG_BYTES]
