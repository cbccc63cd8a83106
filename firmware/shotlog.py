"""The shot log: one fixed-size record per shot, each with its own CRC, kept in a RAM ring.

Records are packed in place (struct.pack_into into a preallocated ring) so logging on the
shot path allocates nothing; the app appends them to the journal file between shots, where
a flash write may take milliseconds, from the ring into the file kept open (no allocation). A record torn by a power cut fails its CRC and is
skipped on reading, so the journal stays readable after a cut at any instant.
"""

import struct

from firmware.compat import const
# The record's layout is the wire contract (firmware/wire/record.py); re-exported here.
from firmware.wire.record import FIELDS, FORMAT, MAGIC, SIZE, crc16, decode, read_journal  # noqa: F401

RING = const(16)  # records kept in RAM for telemetry and the journal (see room())


class ShotLog:
    def __init__(self):
        self.ring = bytearray(SIZE * RING)
        self.count = 0  # records written since boot
        self.flushed = 0  # records appended to the journal
        self.sent = -1  # records taken by the telemetry (the link sets it); -1: no reader
        self.boot = 0  # the gun's power-up count, in every record (the app sets it)

    def room(self):
        """Records that can still be added before one not yet kept would be overwritten.
        A shot starts only while this is above zero (back-pressure: no record is dropped)."""
        kept = self.flushed
        if 0 <= self.sent < kept:
            kept = self.sent
        return RING - (self.count - kept)

    def add(self, shot, zone, index, mode, fault, commanded_nl, dose_steps, depth_um,
            t_start_ms, t_end_ms, delivered_nl):
        """Pack one record into the ring (allocation-free)."""
        off = (self.count % RING) * SIZE
        struct.pack_into(FORMAT, self.ring, off, MAGIC, shot, zone, index, mode, fault, commanded_nl,
                         dose_steps, depth_um, t_start_ms, t_end_ms, delivered_nl, self.boot, 0)
        crc = crc16(self.ring, off, SIZE - 2)
        struct.pack_into("<H", self.ring, off + SIZE - 2, crc)
        self.count += 1

    def record(self, i):
        """Bytes of record number i (count-RING <= i < count)."""
        off = (i % RING) * SIZE
        return bytes(self.ring[off:off + SIZE])

    def flush(self, hal, name):
        """Append records not yet in the journal, straight from the ring into the file kept
        open (hal.open_file), flushed after each: allocation-free. Between shots only (a
        flash write may take ms). A cut leaves the records before plus at most one torn one."""
        while self.flushed < self.count:
            hal.write_at(name, -1, self.ring, (self.flushed % RING) * SIZE, SIZE)
            self.flushed += 1

