"""Commands that steer a session in progress: pause, resume, acknowledge a fault, and the
gun's journal from a point on.

Each goes through the session's own send, so on a SignedSession a command the gun guards
(firmware/wire/lock.GUARDED) is signed when the gun is paired: a realtime command the lock
comes to guard is sent signed and reliable instead of as a realtime frame.
"""

import struct

from firmware.wire import lock
from firmware.wire import messages as M
from firmware.wire import record as shotlog
from firmware.wire.states import state_name
from host.link.session import PATIENCE_US


def _signs(s, mid):
    return mid in lock.GUARDED and getattr(s, "signer", None) is not None


def realtime(s, mid):
    """PAUSE or RESUME: the gun's STATUS after it (None when it went signed)."""
    if _signs(s, mid):
        s.send(mid)
        return None
    return s.request(mid)


def pause(s):
    return realtime(s, M.PAUSE)


def resume(s):
    return realtime(s, M.RESUME)


def ack_fault(s):
    """Acknowledge the latched fault; the gun homes its carriage before any further shot."""
    s.send(M.ACK_FAULT)
    s.flush()
    s.check_error()


def interrupted(s):
    """True if the gun came up holding an interrupted session (firmware/progress.py)."""
    return bool(s.status()["flags"] & M.FLAG_INTERRUPTED)


def discard_interrupted(s):
    """Tell the gun to drop the session it kept across a power cut: the laptop goes on with
    it from its own log and the gun's journal (where the gun logged a shot the cut stopped)."""
    s.send(M.SESSION_CHOICE, (M.CHOICE_DISCARD,))
    s.flush()
    s.check_error()


def state(s):
    """The gun's state now, by name."""
    return state_name(s.status()["state"])


def journal_size(s):
    """Bytes in the gun's shot journal now (a LOG_READ of nothing from 0 reads it afresh)."""
    s.send(M.LOG_READ, (0, 0))
    mid, tag, payload = s.wait((M.LOG_DATA, M.ERROR), PATIENCE_US, "log data")
    if mid == M.ERROR:
        s.inbox.appendleft((mid, tag, payload))
        s.check_error()
    return struct.unpack_from("<II", payload, 0)[1]


def read_journal_from(s, start):
    """The journal's records from byte start on (the gun reads its file afresh first)."""
    total = journal_size(s)
    out = bytearray()
    while start + len(out) < total:
        s.send(M.LOG_READ, (start + len(out), M.CHUNK_MAX))
        mid, tag, payload = s.wait((M.LOG_DATA, M.ERROR), PATIENCE_US, "log data")
        if mid == M.ERROR:
            s.inbox.appendleft((mid, tag, payload))
            s.check_error()
        at, total = struct.unpack_from("<II", payload, 0)
        if at == start + len(out):
            if len(payload) == 8:
                break
            out += payload[8:]
    return shotlog.read_journal(bytes(out))


MOVING = ("homing", "advance", "dose", "hold", "relief", "retract", "pace", "safing")


def settle(s, timeout_us=PATIENCE_US):
    """Wait until no shot is in progress (a gun whose host vanished finishes its shot before
    it stops), so the journal read next holds every record of the part."""
    from host.link.errors import LinkError
    from host.link.transport import now_us

    end = now_us() + timeout_us
    while state(s) in MOVING:
        if now_us() > end:
            raise LinkError("link lost: the gun on %s did not come to rest" % s.t.port)
        s.pump(20000)
    s.status()  # one more turn of its loop: the last record is in the journal file
