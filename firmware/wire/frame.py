"""Frames on the wire: COBS(header, payload, CRC-16) then 0x00.

header = version, message id, seq, ack (one byte each); the CRC covers header and payload
and is sent big-endian. Encoder and Deframer work in preallocated buffers; the Deframer
hands each good frame's payload over as a memoryview into its own buffer, valid until the
next frame.
"""

from firmware.compat import const
from firmware.wire import cobs
from firmware.wire.crc import crc16

HEADER_SIZE = const(4)
CRC_SIZE = const(2)
MAX_PAYLOAD = const(247)
MAX_BODY = const(253)  # HEADER_SIZE + MAX_PAYLOAD + CRC_SIZE
MAX_WIRE = const(255)  # COBS of MAX_BODY (254) and the delimiter
OVERHEAD = const(8)  # wire bytes around a payload: header, CRC, COBS code, delimiter


def wire_size(payload_n):
    """Wire bytes of a frame carrying payload_n bytes (exact below 254 bytes of body)."""
    return payload_n + OVERHEAD


class Encoder:
    """Builds frames. Write the payload into body[HEADER_SIZE:], then call finish()."""

    def __init__(self, version):
        self.version = version
        self.body = bytearray(MAX_BODY)
        self.wire = bytearray(MAX_WIRE)
        self.wire_mv = memoryview(self.wire)

    def finish(self, mid, seq, ack, n):
        """Frame the payload of n bytes already in body; return the wire length in wire."""
        b = self.body
        b[0] = self.version
        b[1] = mid
        b[2] = seq & 0xFF
        b[3] = ack & 0xFF
        end = HEADER_SIZE + n
        crc = crc16(b, 0, end)
        b[end] = crc >> 8
        b[end + 1] = crc & 0xFF
        size = cobs.encode_into(b, end + CRC_SIZE, self.wire)
        self.wire[size] = 0
        return size + 1


class Deframer:
    """Splits a byte stream into checked frames; garbage costs at most the frame it hits."""

    def __init__(self):
        self.buf = bytearray(MAX_WIRE)
        self.mv = memoryview(self.buf)
        self.payload = memoryview(self.buf)[HEADER_SIZE:]
        self.n = 0
        self.dropping = False
        self.frames = 0
        self.errors = 0  # COBS, length or CRC failures and overflows

    def feed(self, data, n, on_frame):
        """Take data[0:n]; call on_frame(version, mid, seq, ack, payload, payload_n) per frame."""
        i = 0
        src = None
        while i < n:
            j = data.find(b"\x00", i, n)
            end = n if j < 0 else j
            k = end - i
            if k and not self.dropping:
                if self.n + k > MAX_WIRE:
                    # Longer than any frame: a lost delimiter. Skip to the next one.
                    self.dropping = True
                    self.errors += 1
                else:
                    if src is None:
                        src = memoryview(data)
                    self.mv[self.n:self.n + k] = src[i:end]
                    self.n += k
            if j < 0:
                return
            if self.n and not self.dropping:
                self._frame(on_frame)
            self.n = 0
            self.dropping = False
            i = j + 1

    def _frame(self, on_frame):
        buf = self.buf
        m = cobs.decode_inplace(buf, self.n)
        if m < HEADER_SIZE + CRC_SIZE:
            self.errors += 1
            return
        end = m - CRC_SIZE
        if crc16(buf, 0, end) != (buf[end] << 8) | buf[end + 1]:
            self.errors += 1
            return
        self.frames += 1
        on_frame(buf[0], buf[1], buf[2], buf[3], self.payload, end - HEADER_SIZE)
