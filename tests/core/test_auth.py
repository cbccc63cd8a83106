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


def make_guard(key, staged=None, locked=False):
    counter = [0]

    def random(n):
        counter[0] += 1
        return bytes([counter[0]]) * n

    return auth.Guard(key, random, staged, locked), None


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


def test_a_new_session_voids_old_tags_and_asking_again_does_not():
    g, _ = make_guard(KEY)
    old = g.challenge()
    t = auth.tag(KEY, old, 5, 0x40, b"")
    # A second AUTH_BEGIN (anyone's) in the same session: the same challenge, tags hold.
    assert g.challenge() == old
    assert g.check(5, 0x40, b"", t) == auth.OK
    t = auth.tag(KEY, old, 6, 0x40, b"")
    g.new_session()
    assert g.challenge() != old
    assert g.check(6, 0x40, b"", t) == auth.BAD_TAG


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


def test_wrong_key_locks_its_session_out_until_a_new_one():
    g, _ = make_guard(KEY)
    nonce = g.challenge()
    wrong = b"\x01" * 32
    for i in range(auth.FAILS_BEFORE_LOCKOUT):
        assert g.check(i + 1, 0x40, b"", auth.tag(wrong, nonce, i + 1, 0x40, b"")) == auth.BAD_TAG
    # Locked: even the right key is refused in this session.
    good = auth.tag(KEY, nonce, 1, 0x40, b"")
    assert g.check(1, 0x40, b"", good) == auth.LOCKED
    g.new_session()
    nonce = g.challenge()
    assert g.check(1, 0x40, b"", auth.tag(KEY, nonce, 1, 0x40, b"")) == auth.OK


def test_a_proved_session_is_not_locked_out_by_anothers_bad_tags():
    g, _ = make_guard(KEY)
    nonce = g.challenge()
    assert g.check(1, 0x23, b"\x00", auth.tag(KEY, nonce, 1, 0x23, b"\x00")) == auth.OK
    wrong = b"\x01" * 32
    for i in range(3 * auth.FAILS_BEFORE_LOCKOUT):
        assert g.check(i + 2, 0x40, b"", auth.tag(wrong, nonce, i + 2, 0x40, b"")) == auth.BAD_TAG
    assert g.check(2, 0x23, b"\x01", auth.tag(KEY, nonce, 2, 0x23, b"\x01")) == auth.OK


def test_a_damaged_key_file_refuses_every_signed_command():
    g, _ = make_guard(None, locked=True)
    assert g.paired()
    nonce = g.challenge()
    for key in (KEY, bytes(32)):
        assert g.check(1, 0x40, b"", auth.tag(key, nonce, 1, 0x40, b"")) == auth.LOCKED


def test_only_the_confirmation_is_checked_under_a_staged_key():
    new = b"\x42" * 32
    g, _ = make_guard(None, staged=new)
    nonce = g.challenge()
    assert g.state() == auth.PAIR_STAGED
    assert g.check(1, 0x40, b"", auth.tag(new, nonce, 1, 0x40, b"")) == auth.NO_KEY
    confirm = auth.PAIR_CONFIRM
    assert g.check(1, confirm, b"", auth.tag(new, nonce, 1, confirm, b"")) == auth.OK
    g.commit()
    assert g.key == new and g.staged is None and g.state() == auth.PAIR_PAIRED


def test_constant_time_compare():
    assert auth.same(b"abc", b"abc")
    assert not auth.same(b"abc", b"abd")
    assert not auth.same(b"abc", b"ab")
