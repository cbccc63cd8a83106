"""The clinical lock's HMAC and Guard, under CPython and the real MicroPython interpreter."""

from binascii import hexlify, unhexlify

from firmware import auth


def hx(b):
    return hexlify(b).decode()


def test_hmac_sha256_rfc4231_vectors():
    assert hx(auth.hmac_sha256(b"\x0b" * 20, b"Hi There")) == (
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    assert hx(auth.hmac_sha256(b"Jefe", b"what do ya want for nothing?")) == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    # A key longer than the block is hashed first.
    assert hx(auth.hmac_sha256(b"\xaa" * 131,
                               b"Test Using Larger Than Block-Size Key - Hash Key First")) == (
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")


class Clock:
    def __init__(self):
        self.ms = 1000

    def __call__(self):
        return self.ms


def make_guard(key):
    counter = [0]

    def random(n):
        counter[0] += 1
        return bytes([counter[0]]) * n

    clock = Clock()
    return auth.Guard(key, random, clock), clock


KEY = unhexlify("00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")


def test_signed_command_accepted_once():
    g, _ = make_guard(KEY)
    nonce = g.challenge()
    t1 = auth.tag(KEY, nonce, 1, 0x23, b"\x02")
    assert g.check(1, 0x23, b"\x02", t1) == auth.OK
    # The same frame again (a recording played back) is refused.
    assert g.check(1, 0x23, b"\x02", t1) == auth.REPLAYED
    t2 = auth.tag(KEY, nonce, 2, 0x23, b"\x03")
    assert g.check(2, 0x23, b"\x03", t2) == auth.OK


def test_new_challenge_voids_old_tags():
    g, _ = make_guard(KEY)
    old = g.challenge()
    t = auth.tag(KEY, old, 5, 0x40, b"")
    g.challenge()
    assert g.check(5, 0x40, b"", t) == auth.BAD_TAG


def test_tampered_payload_id_or_counter_refused():
    g, _ = make_guard(KEY)
    nonce = g.challenge()
    t = auth.tag(KEY, nonce, 1, 0x20, b"\x01abc")
    assert g.check(1, 0x20, b"\x01abd", t) == auth.BAD_TAG
    assert g.check(1, 0x23, b"\x01abc", t) == auth.BAD_TAG
    assert g.check(2, 0x20, b"\x01abc", t) == auth.BAD_TAG
    assert g.check(1, 0x20, b"\x01abc", t) == auth.OK


def test_unpaired_and_unchallenged():
    g, _ = make_guard(None)
    assert g.check(1, 0x40, b"", bytes(16)) == auth.NO_KEY
    g, _ = make_guard(KEY)
    assert g.check(1, 0x40, b"", bytes(16)) == auth.NO_CHALLENGE


def test_wrong_key_locks_out_then_recovers():
    g, clock = make_guard(KEY)
    nonce = g.challenge()
    wrong = b"\x01" * 32
    for i in range(auth.FAILS_BEFORE_LOCKOUT):
        assert g.check(i + 1, 0x40, b"", auth.tag(wrong, nonce, i + 1, 0x40, b"")) == auth.BAD_TAG
    # Locked: even the right key is refused until the lockout ends.
    nonce = g.challenge()
    good = auth.tag(KEY, nonce, 1, 0x40, b"")
    assert g.check(1, 0x40, b"", good) == auth.LOCKED
    clock.ms += auth.LOCKOUT_MS - 1
    assert g.check(1, 0x40, b"", good) == auth.LOCKED
    clock.ms += 1
    assert g.check(1, 0x40, b"", good) == auth.OK


def test_constant_time_compare():
    assert auth.same(b"abc", b"abc")
    assert not auth.same(b"abc", b"abd")
    assert not auth.same(b"abc", b"ab")


class Files:
    """The gun's storage as the Guard sees it; survives the Guard (a power cycle)."""

    def __init__(self):
        self.files = {}

    def read_file(self, name):
        return self.files.get(name)

    def write_file_atomic(self, name, data):
        self.files[name] = bytes(data)


def fail_once(g, counter):
    nonce = g.challenge()
    bad = auth.tag(b"\x01" * 32, nonce, counter, 0x40, b"")
    return g.check(counter, 0x40, b"", bad)


def test_failures_and_lockout_survive_a_power_cycle():
    files = Files()
    clock = Clock()
    g = auth.Guard(KEY, lambda n: bytes(n), clock, files)
    for i in range(auth.FAILS_BEFORE_LOCKOUT - 1):
        assert fail_once(g, i + 1) == auth.BAD_TAG
    # Unplugged and plugged in again: the count goes on, one more wrong tag locks it out.
    g = auth.Guard(KEY, lambda n: bytes(n), clock, files)
    assert g.fails == auth.FAILS_BEFORE_LOCKOUT - 1
    assert fail_once(g, 1) == auth.BAD_TAG
    nonce = g.challenge()
    assert g.check(1, 0x40, b"", auth.tag(KEY, nonce, 1, 0x40, b"")) == auth.LOCKED
    # Power-cycling a locked-out gun starts the lockout again instead of ending it.
    clock.ms += auth.LOCKOUT_MS - 10
    g = auth.Guard(KEY, lambda n: bytes(n), clock, files)
    clock.ms += 20
    nonce = g.challenge()
    assert g.check(1, 0x40, b"", auth.tag(KEY, nonce, 1, 0x40, b"")) == auth.LOCKED
    clock.ms += auth.LOCKOUT_MS
    nonce = g.challenge()
    assert g.check(1, 0x40, b"", auth.tag(KEY, nonce, 1, 0x40, b"")) == auth.OK
    assert files.read_file(auth.FAILS_FILE) == b"0"
    # An accepted command clears the count for the next boot too.
    assert auth.Guard(KEY, lambda n: bytes(n), clock, files).fails == 0


def test_a_damaged_failure_count_keeps_the_gun_locked():
    files = Files()
    files.write_file_atomic(auth.FAILS_FILE, b"\xff?")
    clock = Clock()
    g = auth.Guard(KEY, lambda n: bytes(n), clock, files)
    nonce = g.challenge()
    assert g.check(1, 0x40, b"", auth.tag(KEY, nonce, 1, 0x40, b"")) == auth.LOCKED
