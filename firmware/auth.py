"""Clinical lock: HMAC-SHA256 challenge-response over a key shared once by `meso pair`.

A session asks for a challenge (a fresh random nonce); each guarded command then carries a
counter and a tag HMAC(key, nonce | counter | message id | payload). The device accepts a
counter only above the last one accepted under that nonce, so a recorded command cannot be
replayed in this session nor in a later one (new nonce); a changed byte changes the tag.
Repeated bad tags lock the device out for a while; digests are compared in constant time.
How a tag is made, and the lock's messages and verdicts, are the contract in wire/lock.py.
"""

from firmware.compat import const

# The contract (sizes, tag, verdicts, the lock's messages) is firmware/wire/lock.py;
# re-exported here for the gun's modules.
from firmware.wire.lock import (  # noqa: F401
    AUTH_BEGIN,
    AUTH_RESULT,
    BAD_TAG,
    CHALLENGE,
    KEY_BYTES,
    LOCKED,
    MAINT,
    NO_CHALLENGE,
    NO_KEY,
    NONCE_BYTES,
    OK,
    REJECTED,
    REPLAYED,
    SETTINGS,
    SIGNED,
    TAG_BYTES,
    VERDICTS,
    hmac_sha256,
    tag,
)

FAILS_BEFORE_LOCKOUT = const(5)
LOCKOUT_MS = const(60000)


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
