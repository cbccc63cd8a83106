"""The shot record: one fixed-size record per shot with its own CRC, as the gun logs it, the
journal keeps it and SHOT / LOG_DATA carry it. Pure: the host decodes with the same code."""

import struct

from firmware.compat import const

# magic, shot_no, zone, index, mode, fault, commanded_nl, dose_steps, depth_um,
# t_start_ms, t_end_ms, delivered_nl (the core's own estimate; -1: not known, a shot cut by
# a power loss), boot (the gun's power-up count: shot_no and boot tell every record of a
# session apart, across power cuts), crc16
FORMAT = "<BIHHBBIiIIIiHH"
SIZE = const(39)
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
    "boot",
)


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
