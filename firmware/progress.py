"""Session progress on flash: which protocol, how far it got, and the gun's power-up count.

The file holds two fixed slots (A at 0, B at SIZE), each a whole record with its own
sequence number and CRC (as a shot record has). A save packs the record in place into a
preallocated buffer and writes it over the older slot of the file kept open (HAL write_at),
so a session's saves allocate nothing; the reader takes the valid slot with the newer
sequence. A power cut during a save can tear only the slot being written, which then reads
as the other (the state before); a file whose slots both fail their CRC or layout reads as
damaged: the gun then runs nothing until the session is discarded (fails closed). Before a
shot may start, the record says that it may have (pending), in both slots, so neither a cut
mid-shot nor a slot damaged later ever leads to the same point again. The file is made
whole first with write_file_atomic (one slot written, the other zeros), and again so when it
was damaged or in version 1's one-record layout, which is still read.
"""

import struct

from firmware.compat import const
from firmware.wire.record import crc16

FILE = "progress.bin"
MAGIC = const(0x5E)
VERSION = const(2)
# magic, version, boot, status, streamed, sha256 of the protocol, zone, point (shots done in
# the zone), shots (done in the session), points (of the whole protocol), zone_points,
# pending, pending mode, pending dose_nl, pending depth_um, total_nl, zone_nl, syringe_nl,
# sequence (of the save, mod 2**16), crc16
FORMAT = "<BBHBB32sBHHHHBBIIIIIHH"
SIZE = const(73)  # one slot
FILE_SIZE = const(146)  # two slots
SEQ_MASK = const(0xFFFF)
# Version 1: one record, the same fields without the sequence, replaced by a rename.
VERSION_1 = const(1)
FORMAT_1 = "<BBHBB32sBHHHHBBIIIIIH"
SIZE_1 = const(71)

# status: no session; a stored protocol uploaded and not yet started; a session under way
# (found so at power-up: interrupted); a session that gave all its points.
NONE = const(0)
READY = const(1)
RUNNING = const(2)
DONE = const(3)
STATUS_NAMES = ("none", "ready", "running", "done")
NO_SHA = bytes(32)


class Progress:
    """The fields of the record; load() and save() move them to and from flash."""

    def __init__(self):
        self.boot = 0
        self.clear()
        self.damaged = False  # the file was there but could not be read
        self.seq = 0  # sequence number of the slot last read or written
        self.in_place = False  # the file has both slots and is open: saves write in place
        self.buf = bytearray(SIZE)  # the slot being written, packed in place

    def clear(self):
        self.status = NONE
        self.streamed = 0
        self.sha = NO_SHA
        self.zone = 0
        self.point = 0
        self.shots = 0
        self.points = 0
        self.zone_points = 0
        self.pending = 0  # 1: shot number shots + 1 (zone, point) may have started
        self.p_mode = 0
        self.p_dose_nl = 0
        self.p_depth_um = 0
        self.total_nl = 0
        self.zone_nl = 0
        self.syringe_nl = 0

    def pack(self):
        """Pack the fields and seq into buf, in place (allocation-free); return buf."""
        data = self.buf
        struct.pack_into(FORMAT, data, 0, MAGIC, VERSION, self.boot & 0xFFFF, self.status,
                         self.streamed, self.sha, self.zone, self.point, self.shots,
                         self.points, self.zone_points, self.pending, self.p_mode,
                         self.p_dose_nl, self.p_depth_um, self.total_nl, self.zone_nl,
                         self.syringe_nl, self.seq, 0)
        struct.pack_into("<H", data, SIZE - 2, crc16(data, 0, SIZE - 2))
        return data

    def unpack(self, data, off=0, version=VERSION):
        """Take the fields from the record at data[off:] (a slot, or a version-1 file); False
        (fields untouched) if it is not one."""
        size, fmt = (SIZE, FORMAT) if version == VERSION else (SIZE_1, FORMAT_1)
        if (data is None or len(data) < off + size or data[off] != MAGIC
                or data[off + 1] != version):
            return False
        if crc16(data, off, size - 2) != struct.unpack_from("<H", data, off + size - 2)[0]:
            return False
        v = struct.unpack_from(fmt, data, off)
        if v[3] > DONE:
            return False
        (self.boot, self.status, self.streamed, self.sha, self.zone, self.point, self.shots,
         self.points, self.zone_points, self.pending, self.p_mode, self.p_dose_nl,
         self.p_depth_um, self.total_nl, self.zone_nl, self.syringe_nl) = v[2:18]
        self.seq = v[18] if version == VERSION else 0
        self.sha = bytes(self.sha)
        return True


def _newer(a, b):
    """Sequence a comes after b (mod 2**16: the count wraps, never by half in two saves)."""
    d = (a - b) & SEQ_MASK
    return 0 < d < 0x8000


def load(hal):
    """The progress on flash (a fresh one if there is no file; damaged set if it is bad).
    A file with both slots is kept open for the saves that follow."""
    p = Progress()
    data = hal.read_file(FILE)
    if data is None:
        return p
    if len(data) == SIZE_1:
        if not p.unpack(data, 0, VERSION_1):
            p.damaged = True
        return p  # the next save makes the two-slot file
    b = Progress()
    ok_a = len(data) == FILE_SIZE and p.unpack(data, 0)
    ok_b = len(data) == FILE_SIZE and b.unpack(data, SIZE)
    if ok_b and (not ok_a or _newer(b.seq, p.seq)):
        p = b
    elif not ok_a:
        p.damaged = True
        return p
    hal.open_file(FILE)
    p.in_place = True
    return p


def save(hal, p):
    """Write the record over the older slot, in place once the file is whole (no allocation).
    A record with pending set goes to both slots, one after the other, before the shot may
    start: a slot damaged later then falls back to one that says so too, never to a state
    behind a shot that may have been given."""
    _put(hal, p)
    if p.pending:
        _put(hal, p)


def _put(hal, p):
    p.seq = (p.seq + 1) & SEQ_MASK
    data = p.pack()
    at = (p.seq & 1) * SIZE  # the slots take turns: odd sequences in B
    if p.in_place:
        hal.write_at(FILE, at, data, 0, SIZE)
        return
    whole = bytearray(FILE_SIZE)
    whole[at:at + SIZE] = data
    hal.write_file_atomic(FILE, whole)
    hal.open_file(FILE)
    p.in_place = True


def where(p):
    """'zone Z point P of N' (1-based, as a practitioner counts) for status and messages."""
    if not p.zone_points:
        return "zone %d point %d" % (p.zone + 1, p.point + 1)
    return "zone %d point %d of %d" % (p.zone + 1, p.point + 1, p.zone_points)
