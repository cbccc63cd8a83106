"""Clinical lock: HMAC-SHA256 challenge-response over a key shared once by `meso pair`.

A session asks for a challenge (a fresh random nonce); each guarded command then carries a
counter and a tag HMAC(key, nonce | counter | message id | payload). The device accepts a
counter only above the last one accepted under that nonce, so a recorded command cannot be
replayed in this session nor in a later one (new nonce); a changed byte changes the tag.
Repeated bad tags lock the device out for a while. HMAC is built on hashlib here because
MicroPython has no hmac module; digests are compared in constant time.
"""

import hashlib
import struct

from firmware.compat import const
from firmware.wire import messages as M

# Messages of the lock, added to the wire table (firmware/wire/messages.py).
MAINT = 0x40
AUTH_BEGIN = 0x41
CHALLENGE = 0x42
SIGNED = 0x43
AUTH_RESULT = 0x44
SETTINGS = 0x45

ROWS = (
    # host -> device: leave the app for the REPL (flashing); the device answers AUTH_RESULT.
    (MAINT, "MAINT", M.SEQ, "<", ()),
    # host -> device: ask for a challenge, answered by CHALLENGE.
    (AUTH_BEGIN, "AUTH_BEGIN", M.SEQ, "<", ()),
    (CHALLENGE, "CHALLENGE", M.SEQ, "<16sB", ("nonce", "paired")),
    # host -> device: a guarded command (inner id and payload) with its counter and tag.
    (SIGNED, "SIGNED", M.SEQ, "<IB16s", ("counter", "inner", "tag", "payload*")),
    # device -> host: verdict on a guarded command (auth.OK or why it was refused).
    (AUTH_RESULT, "AUTH_RESULT", M.SEQ, "<BB", ("for_type", "verdict", "text*")),
    # host -> device: replace the settings/calibration file (JSON, validated on the device).
    (SETTINGS, "SETTINGS", M.SEQ, "<", ("json*",)),
)
M.extend(ROWS)

KEY_BYTES = const(32)
NONCE_BYTES = const(16)
TAG_BYTES = const(16)  # HMAC-SHA256 truncated to 128 bits (RFC 2104 section 5)
_BLOCK = const(64)
DOMAIN = b"mesogun-auth-1"

FAILS_BEFORE_LOCKOUT = const(5)
LOCKOUT_MS = const(60000)

# Verdicts of Guard.check(); OK is the only one that lets a command through.
OK = const(0)
NO_KEY = const(1)
NO_CHALLENGE = const(2)
REPLAYED = const(3)
BAD_TAG = const(4)
LOCKED = const(5)
REJECTED = const(6)  # authentic but refused on its merits (e.g. invalid settings)
VERDICTS = ("ok", "device not paired", "no challenge: authenticate first", "replayed",
            "bad authentication tag", "locked out after repeated failures", "rejected")


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


def same(a, b):
    """Constant-time equality of two byte strings (no early exit on the first difference)."""
    if len(a) != len(b):
        return False
    diff = 0
    for i in range(len(a)):
        diff |= a[i] ^ b[i]
    return diff == 0


FAILS_FILE = "auth.fails"


class Guard:
    """The device's side: challenges, counters, failures and lockout.

    random(n) gives n random bytes (os.urandom); now_ms() the device's clock in ms. files
    (the HAL's storage, optional) keeps the count of failures across power cycles, so
    unplugging the gun neither resets the count nor ends a lockout: a gun that boots with
    the count at the limit starts locked out for the whole time again."""

    def __init__(self, key, random, now_ms, files=None):
        self.key = key
        self.random = random
        self.now_ms = now_ms
        self.files = files
        self.nonce = None
        self.counter = 0
        self.fails = 0
        self.locked_until = None
        self.refused = 0
        if files is not None:
            raw = files.read_file(FAILS_FILE)
            try:
                self.fails = int(raw) if raw else 0
            except ValueError:
                self.fails = FAILS_BEFORE_LOCKOUT  # a damaged count must not open the lock
            if self.fails >= FAILS_BEFORE_LOCKOUT:
                self.locked_until = now_ms() + LOCKOUT_MS

    def _keep(self, fails):
        if fails != self.fails and self.files is not None:
            try:
                self.files.write_file_atomic(FAILS_FILE, b"%d" % fails)
            except OSError:
                pass  # a full flash must not open the lock; the count in memory holds
        self.fails = fails

    def paired(self):
        return self.key is not None

    def challenge(self):
        """A fresh nonce; every tag made under an earlier one stops being valid."""
        self.nonce = self.random(NONCE_BYTES)
        self.counter = 0
        return self.nonce

    def locked(self):
        if self.locked_until is None:
            return False
        if self.now_ms() - self.locked_until >= 0:
            self.locked_until = None
            self._keep(0)
            return False
        return True

    def check(self, counter, mid, payload, got_tag):
        """Verdict on one signed command; OK consumes its counter."""
        if self.key is None:
            return NO_KEY
        if self.locked():
            return LOCKED
        if self.nonce is None:
            return NO_CHALLENGE
        want = tag(self.key, self.nonce, counter, mid, payload)
        if not same(want, bytes(got_tag)):
            self._keep(self.fails + 1)
            if self.fails >= FAILS_BEFORE_LOCKOUT:
                self.locked_until = self.now_ms() + LOCKOUT_MS
                self.nonce = None
            return BAD_TAG
        if counter <= self.counter:
            return REPLAYED
        self.counter = counter
        self._keep(0)
        return OK
