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

# Signed once paired: whatever arms the gun or changes its protocol, settings or firmware.
# LOAD_CHUNK needs no tag: LOAD_BEGIN's signed SHA-256 binds every chunk.
GUARDED = (M.LOAD_BEGIN, M.LOAD_END, M.RUN_ZONE, M.ACK_FAULT, M.REFILLED, M.MAINT, M.SETTINGS,
           M.SESSION_CHOICE)


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


def tag(key, nonce, counter, mid, payload):
    """The tag of one guarded command (mid and payload as sent inside the signed frame)."""
    msg = DOMAIN + bytes(nonce) + struct.pack("<IB", counter, mid) + bytes(payload)
    return hmac_sha256(key, msg)[:TAG_BYTES]
