"""Session progress on flash: which protocol, how far it got, and the gun's power-up count.

One fixed-size record with its own CRC (as a shot record has), replaced atomically with the
HAL's write_file_atomic, so that a power cut at any instant leaves the old state or the new
one. A record that is there but fails its CRC or its layout reads as damaged: the gun then
runs nothing until the session is discarded (fails closed). The app writes it between
shots only (file I/O allocates); before a shot may start, the record says that it may have
(pending), so a cut mid-shot never leads to the same point again.
"""

import struct

from firmware.compat import const
from firmware.wire.record import crc16

FILE = "progress.bin"
MAGIC = const(0x5E)
VERSION = const(1)
# magic, version, boot, status, streamed, sha256 of the protocol, zone, point (shots done in
# the zone), shots (done in the session), points (of the whole protocol), zone_points,
# pending, pending mode, pending dose_nl, pending depth_um, total_nl, zone_nl, syringe_nl, crc16
FORMAT = "<BBHBB32sBHHHHBBIIIIIH"
SIZE = const(71)

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
        data = bytearray(SIZE)
        struct.pack_into(FORMAT, data, 0, MAGIC, VERSION, self.boot & 0xFFFF, self.status,
                         self.streamed, self.sha, self.zone, self.point, self.shots,
                         self.points, self.zone_points, self.pending, self.p_mode,
                         self.p_dose_nl, self.p_depth_um, self.total_nl, self.zone_nl,
                         self.syringe_nl, 0)
        struct.pack_into("<H", data, SIZE - 2, crc16(data, 0, SIZE - 2))
        return bytes(data)

    def unpack(self, data):
        """Take the fields from a record's bytes; False (fields untouched) if it is not one."""
        if data is None or len(data) != SIZE or data[0] != MAGIC or data[1] != VERSION:
            return False
        if crc16(data, 0, SIZE - 2) != struct.unpack_from("<H", data, SIZE - 2)[0]:
            return False
        v = struct.unpack_from(FORMAT, data, 0)
        if v[3] > DONE:
            return False
        (self.boot, self.status, self.streamed, self.sha, self.zone, self.point, self.shots,
         self.points, self.zone_points, self.pending, self.p_mode, self.p_dose_nl,
         self.p_depth_um, self.total_nl, self.zone_nl, self.syringe_nl) = v[2:18]
        self.sha = bytes(self.sha)
        return True


def load(hal):
    """The progress on flash (a fresh one if there is no file; damaged set if it is bad)."""
    p = Progress()
    data = hal.read_file(FILE)
    if data is not None and not p.unpack(data):
        p.damaged = True
    return p


def save(hal, p):
    hal.write_file_atomic(FILE, p.pack())


def where(p):
    """'zone Z point P of N' (1-based, as a practitioner counts) for status and messages."""
    if not p.zone_points:
        return "zone %d point %d" % (p.zone + 1, p.point + 1)
    return "zone %d point %d of %d" % (p.zone + 1, p.point + 1, p.zone_points)
