"""Consistent Overhead Byte Stuffing: frames contain no 0x00, so 0x00 marks every frame end.

After garbage or a lost byte the receiver drops what it has at the next 0x00 and starts
afresh: the stream resynchronises within one frame. Overhead: one byte per 254, at least 1.
Both functions work on preallocated buffers and allocate nothing.
"""


def max_encoded(n):
    """Largest encoding of n bytes (without the 0x00 delimiter)."""
    return n + n // 254 + 1


def encode_into(src, n, dst, at=0):
    """COBS-encode src[0:n] into dst starting at index at; return the end index."""
    code_at = at
    out = at + 1
    code = 1
    for i in range(n):
        b = src[i]
        if b:
            dst[out] = b
            out += 1
            code += 1
            if code == 0xFF:
                dst[code_at] = code
                code_at = out
                out += 1
                code = 1
        else:
            dst[code_at] = code
            code_at = out
            out += 1
            code = 1
    dst[code_at] = code
    return out


def decode_inplace(buf, n):
    """Decode buf[0:n] in place; return the decoded length, or -1 if it is not valid COBS."""
    r = 0
    w = 0
    while r < n:
        code = buf[r]
        if code == 0:
            return -1
        r += 1
        end = r + code - 1
        if end > n:
            return -1
        while r < end:
            buf[w] = buf[r]
            w += 1
            r += 1
        if code != 0xFF and r < n:
            buf[w] = 0
            w += 1
    return w
