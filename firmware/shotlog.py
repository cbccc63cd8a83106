"""The shot log: one fixed-size record per shot, each with its own CRC, kept in a RAM ring.

Records are packed in place (struct.pack_into into a preallocated ring) so logging on the
shot path allocates nothing; the app appends them to the journal file between shots, where
a flash write may take milliseconds. A record torn by a power cut fails its CRC and is
skipped on reading, so the journal stays readable after a cut at any instant.
"""

import struct

from firmware.compat import const

# magic, shot_no, zone, index, mode, fault, commanded_nl, dose_steps, depth_um,
# t_start_ms, t_end_ms, delivered_nl (the core's own estimate), crc16
FORMAT = "<BIHHBBIiIIIiH"
SIZE = const(37)
MAGIC = const(0xA5)
FIELDS = (
    "shot",
    "zone",
    "index",
    "mode",
    "fault",
    "commanded_nl",
    "dose_steps",
    "depth_um",
    "t_start_ms",
    "t_end_ms",
    "delivered_nl",
)
RING = const(16)  # records kept in RAM for telemetry and the journal


def crc16(buf, start, n):
    """CRC-16/CCITT-FALSE of buf[start:start + n], without allocating."""
    crc = 0xFFFF
    for i in range(start, start + n):
        crc ^= buf[i] << 8
        for _ in range(8):
            if crc & 0x8000:
                crc = ((crc << 1) ^ 0x1021) & 0xFFFF
            else:
                crc = (crc << 1) & 0xFFFF
    return crc


class ShotLog:
    def __init__(self):
        self.ring = bytearray(SIZE * RING)
        self.count = 0  # records written since boot
        self.flushed = 0  # records appended to the journal

    def add(self, shot, zone, index, mode, fault, commanded_nl, dose_steps, depth_um,
            t_start_ms, t_end_ms, delivered_nl):
        """Pack one record into the ring (allocation-free)."""
        off = (self.count % RING) * SIZE
        struct.pack_into(FORMAT, self.ring, off, MAGIC, shot, zone, index, mode, fault, commanded_nl,
                         dose_steps, depth_um, t_start_ms, t_end_ms, delivered_nl, 0)
        crc = crc16(self.ring, off, SIZE - 2)
        struct.pack_into("<H", self.ring, off + SIZE - 2, crc)
        self.count += 1

    def record(self, i):
        """Bytes of record number i (count-RING <= i < count)."""
        off = (i % RING) * SIZE
        return bytes(self.ring[off:off + SIZE])

    def flush(self, hal, name):
        """Append records not yet in the journal (between shots only: file I/O allocates)."""
        if self.count - self.flushed > RING:
            self.flushed = self.count - RING  # records were overwritten before a flush
        while self.flushed < self.count:
            hal.append_file(name, self.record(self.flushed))
            self.flushed += 1


def decode(data, off=0):
    """The record at data[off:] as a dict, or None if it is torn or not a record."""
    if len(data) - off < SIZE or data[off] != MAGIC:
        return None
    if crc16(data, off, SIZE - 2) != struct.unpack_from("<H", data, off + SIZE - 2)[0]:
        return None
    values = struct.unpack_from(FORMAT, data, off)
    d = {}
    for i in range(len(FIELDS)):
        d[FIELDS[i]] = values[i + 1]
    return d


def read_journal(data):
    """Decode a journal's bytes: the valid records in order. A record torn by a power cut
    is skipped and reading resynchronises on the next valid record after it."""
    out = []
    off = 0
    while off + SIZE <= len(data):
        d = decode(data, off)
        if d is None:
            off += 1
            continue
        out.append(d)
        off += SIZE
    return out
