"""A paired gun in a practitioner's session, and a second party on the line with no key.

Every message of the wire contract outside lock.UNSIGNED, sent unsigned, is refused and
changes nothing: the paused gun does not re-arm, no shot fires when the trigger is pulled on
skin. The second party cannot end the session with HELLO, void its challenge with
AUTH_BEGIN, or lock it out with bad tags.
"""

import json
import os

import pytest
from rig import point_zone, protocol

from firmware import hal as H
from firmware.wire import PROTOCOL_VERSION, lock
from firmware.wire import messages as M
from firmware.wire.files import KEY_FILE
from firmware.wire.frame import HEADER_SIZE, Encoder
from firmware.wire.states import PAUSED
from host.link.errors import LinkError
from host.link.signed import SignedSession, Signer
from tests.core.wirekit import Lcg, sample_values
from tests.lock.lockline import HostEnd, Line

KEY = bytes(range(100, 132))


def practitioner(line):
    """The paired laptop: a signed session streaming a protocol, paused between shots."""
    s = SignedSession(HostEnd(line), 115200)
    s.handshake()
    s.signer = Signer(s, KEY)
    assert s.signer.begin() == lock.PAIR_PAIRED
    line.keepalive.append(s)
    data = json.dumps(protocol([point_zone(points=5)])).encode()
    s.load(data, M.TARGET_RUN)
    s.send(M.RUN_ZONE, (0,))
    s.flush()
    line.advance(3000000)  # homing, then armed
    s.request(M.PAUSE)
    line.advance(100000)
    assert line.rig.app.machine.state == PAUSED
    return s


def paired_line():
    return Line({KEY_FILE: KEY})


def inject(line, mid, values=(), tail=None, tag=None):
    """A frame from the second party, with the sequence number the gun expects next (it
    can read the line) and an acknowledgement that moves nothing."""
    enc = Encoder(PROTOCOL_VERSION)
    n = M.encode_into(enc.body, HEADER_SIZE, mid, values, tail)
    ep = line.link.ep
    seq = tag if tag is not None else ep.receiver.expected
    size = enc.finish(mid, seq, ep.sender.base, n - HEADER_SIZE)
    line.to_gun += bytes(enc.wire_mv[:size])
    line.advance(20000)


def shots_when_pulled(line):
    """The trigger pulled on skin: how many shots the gun gives within 2 s."""
    hal = line.rig.hal
    before = line.rig.app.log.count
    hal.set_input(H.IN_CONTACT, True)
    line.advance(30000)
    hal.set_input(H.IN_TRIGGER, True)
    line.advance(30000)
    hal.set_input(H.IN_TRIGGER, False)
    line.advance(2000000)
    hal.set_input(H.IN_CONTACT, False)
    line.advance(100000)
    return line.rig.app.log.count - before


def unsigned_commands():
    """Every message of the contract a paired gun must not take unsigned (SIGNED itself is
    the envelope: a stranger's SIGNED frames are the bad tags below)."""
    return [row for row in M.TABLE if row[2] != M.CTL and row[0] not in lock.UNSIGNED
            and row[0] != lock.SIGNED]


def test_the_guarded_set_is_everything_but_the_safe_messages():
    rows = unsigned_commands()
    assert {r[0] for r in rows} == set(lock.GUARDED)
    names = {r[1] for r in rows}
    for must in ("RESUME", "RUN_ZONE", "ACK_FAULT", "REFILLED", "LOAD_BEGIN", "LOAD_END",
                 "SETTINGS", "MAINT", "END_SESSION", "PAIR_BEGIN", "PAIR_CONFIRM"):
        assert must in names
    assert {M.name(m) for m in lock.UNSIGNED} == {
        "HELLO", "STATUS_REQ", "ABORT", "PAUSE", "AUTH_BEGIN", "LOAD_CHUNK"}


def test_signed_resume_rearms_the_paused_gun():
    """The check below can fail: the practitioner's own signed RESUME gives shots."""
    line = paired_line()
    s = practitioner(line)
    assert shots_when_pulled(line) == 0
    s.send(M.RESUME)
    s.flush()
    line.advance(100000)
    assert shots_when_pulled(line) > 0


def test_no_unsigned_command_moves_or_changes_a_paired_gun():
    rng = Lcg(12)
    tried = 0
    for row in unsigned_commands():
        mid = row[0]
        line = paired_line()
        practitioner(line)
        files = line.files()
        values, tail = sample_values(row, rng)
        if mid == M.RUN_ZONE:
            values = (0,)
        if row[2] == M.RT:
            # A tag other than the last realtime frame's (the practitioner's heartbeats count
            # them up with the wall clock): a repeated tag is a retransmission, not a command.
            inject(line, mid, values, tail, tag=(line.link.ep.rt_last + 0x55) & 0xFF)
        else:
            inject(line, mid, values, tail)
        tried += 1
        m = line.rig.app.machine
        assert m.state == PAUSED and line.link.mode == M.MODE_STREAM, row[1]
        assert shots_when_pulled(line) == 0, row[1]
        after = line.files()
        audit = after.pop("audit.log").decode()
        files.pop("audit.log", None)
        assert after == files, row[1]
        assert "refused %s" % row[1] in audit, row[1]
    print("unsigned commands tried on a paired gun: %d, accepted: 0" % tried)
    assert tried == len(unsigned_commands()) >= 25


def test_a_strangers_hello_does_not_end_the_session():
    line = paired_line()
    s = practitioner(line)
    other = line.host(handshake=False)
    with pytest.raises(LinkError, match="no mesogun device answers"):
        other.handshake(timeout_us=600000)
    st = s.status()
    assert st["mode"] == M.MODE_STREAM and not st["flags"] & M.FLAG_LINK_LOST
    s.send(M.RESUME)
    s.flush()
    line.advance(100000)
    assert shots_when_pulled(line) > 0


def deliver(line, mid, payload=b""):
    """A command from the second party handed to the lock as if its sequence number fit."""
    line.link._deliver(mid, 0, payload, len(payload), True)
    line.advance(20000)


def test_a_strangers_auth_begin_and_bad_tags_neither_void_nor_lock_out_the_session():
    line = paired_line()
    s = practitioner(line)
    nonce = line.link.guard.nonce
    deliver(line, lock.AUTH_BEGIN)
    assert line.link.guard.nonce == nonce
    for i in range(3 * lock_fails()):
        payload = M.pack("SIGNED", counter=1000 + i, inner=M.RESUME,
                         tag=os.urandom(lock.TAG_BYTES))
        deliver(line, lock.SIGNED, payload)
    assert shots_when_pulled(line) == 0
    s.send(M.RESUME)  # the practitioner's next signed command still goes through
    s.flush()
    line.advance(100000)
    assert shots_when_pulled(line) > 0
    assert line.files()["audit.log"].decode().count("refused RESUME: bad authentication") \
        == 3 * lock_fails()


def lock_fails():
    from firmware.auth import FAILS_BEFORE_LOCKOUT

    return FAILS_BEFORE_LOCKOUT
