"""CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF): the check on every frame."""

from array import array

CRC_INIT = 0xFFFF


def _make_table():
    table = array("H", [0] * 256)
    for i in range(256):
        c = i << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x1021) if c & 0x8000 else (c << 1)
        table[i] = c & 0xFFFF
    return table


_TABLE = _make_table()


def crc16_table(buf, start, end, crc=CRC_INIT):
    """CRC of buf[start:end], by indexes so a preallocated buffer is checked without a copy."""
    t = _TABLE
    for i in range(start, end):
        crc = ((crc << 8) & 0xFFFF) ^ t[((crc >> 8) ^ buf[i]) & 0xFF]
    return crc


crc16 = crc16_table

try:
    # CPython's C version of the same CRC, many times faster on the host; the table above
    # stays the definition and a test checks that both agree.
    from binascii import crc_hqx as _crc_hqx

    def crc16(buf, start, end, crc=CRC_INIT):
        return _crc_hqx(memoryview(buf)[start:end], crc)

except ImportError:
    pass
