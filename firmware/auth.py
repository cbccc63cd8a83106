"""Clinical lock: HMAC-SHA256 challenge-response over a key shared once by `meso pair`.

Each link session (a HELLO with a new nonce) gets one challenge, a fresh random nonce; each
guarded command then carries a counter and a tag HMAC(key, nonce | counter | message id |
payload). The device accepts a counter only above the last one accepted under that nonce, so
a recorded command cannot be replayed in this session nor in a later one (new nonce); a
changed byte changes the tag. Asking for the challenge again returns the same one, so a
second party cannot void the host's commands. Repeated bad tags before the session has
proved its key lock that session out; once it has, a stranger's bad tags are refused and
logged but cannot lock it out. Digests are compared in constant time.
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
    PAIR_CONFIRM,
    PAIR_NONE,
    PAIR_PAIRED,
    PAIR_STAGED,
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


def same(a, b):
    """Constant-time equality of two byte strings (no early exit on the first difference)."""
    if len(a) != len(b):
        return False
    diff = 0
    for i in range(len(a)):
        diff |= a[i] ^ b[i]
    return diff == 0


class Guard:
    """The device's side: the session's challenge, counter and failures.

    key is the committed key (None: not paired); staged a key waiting for PAIR_CONFIRM, the
    only command checked under it; locked (a damaged key file) refuses every signed command.
    random(n) gives n random bytes (os.urandom)."""

    def __init__(self, key, random, staged=None, locked=False):
        self.key = key
        self.staged = staged
        self.locked_keys = locked
        self.random = random
        self.refused = 0
        self.new_session()

    def new_session(self):
        """A new link session: no challenge yet, no failures, nothing proved."""
        self.nonce = None
        self.counter = 0
        self.fails = 0
        self.proven = False

    def paired(self):
        """Signatures are wanted: a key, a staged key, or a damaged key file."""
        return self.key is not None or self.staged is not None or self.locked_keys

    def state(self):
        """CHALLENGE.paired."""
        if self.key is not None or self.locked_keys:
            return PAIR_PAIRED
        return PAIR_STAGED if self.staged is not None else PAIR_NONE

    def challenge(self):
        """The session's nonce, made at the first request; asking again does not renew it."""
        if self.nonce is None:
            self.nonce = self.random(NONCE_BYTES)
            self.counter = 0
        return self.nonce

    def locked(self):
        return self.locked_keys or self.fails >= FAILS_BEFORE_LOCKOUT

    def check(self, counter, mid, payload, got_tag):
        """Verdict on one signed command; OK consumes its counter."""
        key = self.staged if mid == PAIR_CONFIRM else self.key
        if self.locked():
            return LOCKED
        if key is None:
            return NO_KEY
        if self.nonce is None:
            return NO_CHALLENGE
        want = tag(key, self.nonce, counter, mid, payload)
        if not same(want, bytes(got_tag)):
            if not self.proven:
                self.fails += 1  # only an unproved session can lock itself out
            return BAD_TAG
        if counter <= self.counter:
            return REPLAYED
        self.counter = counter
        self.proven = True
        return OK

    def commit(self):
        """PAIR_CONFIRM accepted: the staged key is the key from now on."""
        self.key = self.staged
        self.staged = None
