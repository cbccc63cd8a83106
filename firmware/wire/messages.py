"""Every message of the wire protocol in one table; encoding and decoding derive from it.

A row is (id, name, kind, struct format, field names). A last field name ending in "*" is a
tail: the rest of the payload as raw bytes (JSON, text, shot-log records). Kinds:
- SEQ: reliable, in order, executed once (sequence number, ack, retransmit).
- RT: realtime, bypasses the queues; tagged so a repeat is answered but not re-executed.
- CTL: link control (acknowledgements); never passed to the application.
Ids never change meaning; HELLO and IDENTITY keep their ids across protocol versions so that
a version mismatch can still be reported.
"""

import struct

from firmware.compat import const
from firmware.wire.frame import MAX_PAYLOAD

SEQ = const(0)
RT = const(1)
CTL = const(2)

ACK = const(0x01)
NAK = const(0x02)
HELLO = const(0x03)
IDENTITY = const(0x04)
RESTARTED = const(0x05)
ABORT = const(0x10)
PAUSE = const(0x11)
RESUME = const(0x12)
STATUS_REQ = const(0x13)
STATUS = const(0x18)
LOAD_BEGIN = const(0x20)
LOAD_CHUNK = const(0x21)
LOAD_END = const(0x22)
RUN_ZONE = const(0x23)
ACK_FAULT = const(0x24)
LOG_READ = const(0x25)
END_SESSION = const(0x26)
REFILLED = const(0x27)
SESSION_CHOICE = const(0x28)
LOAD_RESULT = const(0x30)
SHOT = const(0x31)
ZONE_DONE = const(0x32)
LOG_DATA = const(0x33)
EVENT = const(0x34)
ERROR = const(0x35)
# The clinical lock (firmware/wire/lock.py, firmware/auth.py)
MAINT = const(0x40)
AUTH_BEGIN = const(0x41)
CHALLENGE = const(0x42)
SIGNED = const(0x43)
AUTH_RESULT = const(0x44)
SETTINGS = const(0x45)
PAIR_BEGIN = const(0x46)
PAIR_KEY = const(0x47)
PAIR_CONFIRM = const(0x48)
AUTH_END = const(0x49)

TABLE = (
    # link control
    (ACK, "ACK", CTL, "<", ()),
    (NAK, "NAK", CTL, "<", ()),
    # handshake and realtime (host -> device, answered by IDENTITY / STATUS)
    (HELLO, "HELLO", RT, "<IB", ("nonce", "part")),
    (IDENTITY, "IDENTITY", RT, "<IBBHHBB",
     ("nonce", "protocol_version", "window", "max_payload", "caps", "part", "parts", "info*")),
    (RESTARTED, "RESTARTED", RT, "<", ()),
    (ABORT, "ABORT", RT, "<", ()),
    (PAUSE, "PAUSE", RT, "<", ()),
    (RESUME, "RESUME", RT, "<", ()),
    (STATUS_REQ, "STATUS_REQ", RT, "<", ()),
    # boot: the gun's power-up count; session: progress.STATUS_NAMES; with FLAG_INTERRUPTED,
    # the session was cut by a power loss and goes on at resume_zone, resume_point (of the
    # zone's zone_points) once continued (SESSION_CHOICE).
    (STATUS, "STATUS", RT, "<BBBBHHIIBHBBHH",
     ("state", "mode", "fault", "zone", "zone_shots", "shots", "delivered_nl", "log_count",
      "flags", "boot", "session", "resume_zone", "resume_point", "zone_points")),
    # reliable commands, host -> device
    (LOAD_BEGIN, "LOAD_BEGIN", SEQ, "<BI32s", ("target", "size", "sha256")),
    (LOAD_CHUNK, "LOAD_CHUNK", SEQ, "<I", ("offset", "data*")),
    (LOAD_END, "LOAD_END", SEQ, "<", ()),
    (RUN_ZONE, "RUN_ZONE", SEQ, "<B", ("zone",)),
    (ACK_FAULT, "ACK_FAULT", SEQ, "<", ()),
    (LOG_READ, "LOG_READ", SEQ, "<IH", ("start", "count")),
    (END_SESSION, "END_SESSION", SEQ, "<", ()),
    # a full syringe is fitted: the gun left waiting in REFILL goes on (guarded when paired)
    (REFILLED, "REFILLED", SEQ, "<", ()),
    # the answer to an interrupted session: CHOICE_CONTINUE or CHOICE_DISCARD (guarded)
    (SESSION_CHOICE, "SESSION_CHOICE", SEQ, "<B", ("choice",)),
    # reliable reports, device -> host
    (LOAD_RESULT, "LOAD_RESULT", SEQ, "<B", ("code", "text*")),
    (SHOT, "SHOT", SEQ, "<", ("record*",)),
    (ZONE_DONE, "ZONE_DONE", SEQ, "<BH", ("zone", "shots")),
    (LOG_DATA, "LOG_DATA", SEQ, "<II", ("start", "total", "records*")),
    (EVENT, "EVENT", SEQ, "<BB", ("code", "zone", "text*")),
    (ERROR, "ERROR", SEQ, "<BB", ("for_type", "code", "text*")),
    # the clinical lock
    # host -> device: leave the app for the REPL (flashing); the device answers AUTH_RESULT.
    (MAINT, "MAINT", SEQ, "<", ()),
    # host -> device: ask for a challenge, answered by CHALLENGE.
    (AUTH_BEGIN, "AUTH_BEGIN", SEQ, "<", ()),
    # paired: PAIR_NONE, PAIR_PAIRED or PAIR_STAGED; counter: the last one accepted under
    # nonce (a challenge lasts as long as the link session: asking again does not void it).
    (CHALLENGE, "CHALLENGE", SEQ, "<16sBI", ("nonce", "paired", "counter")),
    # host -> device: a guarded command (inner id and payload) with its counter and tag.
    (SIGNED, "SIGNED", SEQ, "<IB16s", ("counter", "inner", "tag", "payload*")),
    # device -> host: verdict on a guarded command (lock.OK or why it was refused).
    (AUTH_RESULT, "AUTH_RESULT", SEQ, "<BB", ("for_type", "verdict", "text*")),
    # host -> device: replace the settings/calibration file (JSON, validated on the device).
    (SETTINGS, "SETTINGS", SEQ, "<", ("json*",)),
    # Two-phase pairing: the gun stages a fresh key and sends it (PAIR_KEY); the laptop saves
    # it and proves it with PAIR_CONFIRM signed under it; only then the gun commits it.
    (PAIR_BEGIN, "PAIR_BEGIN", SEQ, "<", ()),
    (PAIR_KEY, "PAIR_KEY", SEQ, "<32s", ("key",)),
    (PAIR_CONFIRM, "PAIR_CONFIRM", SEQ, "<", ()),
    # host -> device, signed: this host is done; the next host's HELLO is taken at once.
    (AUTH_END, "AUTH_END", SEQ, "<", ()),
)

# Bytes of identity JSON per IDENTITY part: short frames get through a noisy line.
INFO_PART = const(96)
# Data bytes per LOAD_CHUNK (the payload less its offset field).
CHUNK_MAX = MAX_PAYLOAD - 4

# LOAD_BEGIN targets.
TARGET_RUN = const(0)  # stream mode: load into RAM and run now, tethered
TARGET_STORE = const(1)  # store mode: verify, write to flash, run untethered later

# Capability bits in IDENTITY.caps.
CAP_STREAM = const(1)
CAP_STORE = const(2)
CAP_LOG = const(4)
CAP_PRESSURE = const(8)

# STATUS.mode
MODE_IDLE = const(0)
MODE_STREAM = const(1)
MODE_STORED = const(2)
LINK_MODE_NAMES = ("idle", "streaming", "running stored protocol")

# STATUS.flags
FLAG_PAUSED = const(1)
FLAG_LOADED = const(2)
FLAG_STORED = const(4)
FLAG_ALARM = const(8)
FLAG_LINK_LOST = const(16)
FLAG_INTERRUPTED = const(32)  # a session cut by a power loss waits: continue or discard
FLAG_PROGRESS_DAMAGED = const(64)  # the session progress on flash is damaged: discard it

# SESSION_CHOICE.choice. Continue: a stored session goes on untethered; a streamed one once
# its protocol is loaded again (same SHA-256) and the host releases the zone (RUN_ZONE).
CHOICE_DISCARD = const(0)
CHOICE_CONTINUE = const(1)

NO_ZONE = const(0xFF)

# Error codes (LOAD_RESULT.code, ERROR.code); EVENT codes follow.
E_OK = const(0)
E_BAD_MESSAGE = const(1)
E_BUSY = const(2)
E_TOO_BIG = const(3)
E_SHA = const(4)
E_LIMITS = const(5)
E_NO_PROTOCOL = const(6)
E_BAD_ZONE = const(7)
E_FAULT = const(8)
E_STORAGE = const(9)
E_ORDER = const(10)
E_FORMAT = const(11)
ERROR_NAMES = (
    "ok", "bad message", "device busy", "too big", "SHA-256 mismatch", "outside the limits",
    "no protocol loaded", "no such zone", "fault latched", "storage failed", "out of order",
    "not a protocol",
)

EV_FAULT = const(1)
EV_LINK_LOST = const(2)
EV_DONE = const(3)
EV_ABORTED = const(4)
EV_REFILL = const(5)  # the syringe cannot give the next dose: fit a full one, send REFILLED
EVENT_NAMES = ("", "fault", "link lost", "protocol done", "aborted", "syringe empty")

_BY_ID = [None] * 256
BY_NAME = {}
for _row in TABLE:
    _BY_ID[_row[0]] = (_row, struct.calcsize(_row[3]), len(_row[4]) > 0 and _row[4][-1][-1] == "*")
    BY_NAME[_row[1]] = _row


def spec(mid):
    """(row, fixed size, has tail) for a message id, or None if the id is unknown."""
    return _BY_ID[mid & 0xFF]


def kind(mid):
    s = _BY_ID[mid & 0xFF]
    return -1 if s is None else s[0][2]


def name(mid):
    s = _BY_ID[mid & 0xFF]
    return "0x%02x" % mid if s is None else s[0][1]


def encode_into(buf, at, mid, values, tail=None, tail_n=-1):
    """Write message mid's payload into buf at index at; return the end index.

    values are the fixed fields in table order; tail (bytes-like, first tail_n bytes or all)
    is the tail field. Allocates nothing for fixed fields."""
    row, size, _ = _BY_ID[mid]
    if size:
        struct.pack_into(row[3], buf, at, *values)
    end = at + size
    if tail is not None:
        n = len(tail) if tail_n < 0 else tail_n
        buf[end:end + n] = tail if n == len(tail) else memoryview(tail)[:n]
        end += n
    return end


def decode(mid, payload, n):
    """Fixed fields of a payload of n bytes as a tuple, or None if it is too short."""
    s = _BY_ID[mid & 0xFF]
    if s is None or n < s[1] or (n > s[1] and not s[2]):
        return None
    return struct.unpack_from(s[0][3], payload, 0)


def tail(mid, payload, n):
    """The tail bytes of a payload (a memoryview, no copy)."""
    return memoryview(payload)[_BY_ID[mid][1]:n]


def pack(mname, **fields):
    """A payload from field values by name (host side and tests): pack("RUN_ZONE", zone=2)."""
    row = BY_NAME[mname]
    names = row[4]
    fixed = [fields[f] for f in names if f[-1] != "*"]
    extra = b""
    if names and names[-1][-1] == "*":
        extra = bytes(fields.get(names[-1][:-1], b""))
    for k in fields:
        if k not in names and k + "*" not in names:
            raise KeyError("%s has no field %s" % (mname, k))
    return struct.pack(row[3], *fixed) + extra


def unpack(mid, payload):
    """(name, dict of fields) of a payload, or raise ValueError if it does not fit."""
    n = len(payload)
    values = decode(mid, payload, n)
    if values is None:
        raise ValueError("bad %s payload of %d bytes" % (name(mid), n))
    row = _BY_ID[mid & 0xFF][0]
    out = {}
    i = 0
    for f in row[4]:
        if f[-1] == "*":
            out[f[:-1]] = bytes(tail(mid, payload, n))
        else:
            out[f] = values[i]
            i += 1
    return row[1], out

