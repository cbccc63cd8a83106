"""Framing, CRC and the message table: round trips, resynchronisation, rejected errors."""

from wirekit import Lcg, sample_values

from firmware.wire import PROTOCOL_VERSION, cobs, messages
from firmware.wire.crc import crc16, crc16_table
from firmware.wire.frame import MAX_BODY, MAX_PAYLOAD, MAX_WIRE, Deframer, Encoder, wire_size


def frame_bytes(mid, seq, ack, payload):
    enc = Encoder(1)
    enc.body[4:4 + len(payload)] = payload
    n = enc.finish(mid, seq, ack, len(payload))
    return bytes(enc.wire[:n])


def collect(data):
    got = []

    def on_frame(version, mid, seq, ack, payload, n):
        got.append((version, mid, seq, ack, bytes(payload[:n])))

    d = Deframer()
    d.feed(data, len(data), on_frame)
    return got, d


def test_crc_check_value():
    data = b"123456789"
    assert crc16_table(data, 0, 9) == 0x29B1
    assert crc16(data, 0, 9) == 0x29B1
    rng = Lcg(7)
    block = bytes([rng.next(256) for _ in range(300)])
    assert crc16(block, 3, 290) == crc16_table(block, 3, 290)


def test_cobs_round_trip_and_no_zeros():
    rng = Lcg(1)
    for n in (0, 1, 2, 253, 254, 255, 300):
        for zeros in (0, 1, 3):
            src = bytearray([rng.next(255) + 1 for _ in range(n)])
            for _ in range(zeros * n // 10):
                src[rng.next(n)] = 0
            dst = bytearray(cobs.max_encoded(n))
            end = cobs.encode_into(src, n, dst)
            assert end <= cobs.max_encoded(n)
            assert dst.find(b"\x00", 0, end) < 0
            m = cobs.decode_inplace(dst, end)
            assert m == n and dst[:m] == src


def test_cobs_rejects_bad_code():
    buf = bytearray(b"\x05ab")  # code says 4 bytes follow, only 2 do
    assert cobs.decode_inplace(buf, 3) == -1


def test_every_message_round_trips():
    rng = Lcg(3)
    seen = 0
    for row in messages.TABLE:
        mid = row[0]
        values, tail = sample_values(row, rng)
        enc = Encoder(PROTOCOL_VERSION)
        n = messages.encode_into(enc.body, 4, mid, values, tail) - 4
        size = enc.finish(mid, 17, 42, n)
        assert size == wire_size(n)
        got, d = collect(bytes(enc.wire[:size]))
        assert len(got) == 1 and d.errors == 0
        version, gmid, seq, ack, payload = got[0]
        assert (version, gmid, seq, ack) == (PROTOCOL_VERSION, mid, 17, 42)
        assert messages.decode(mid, payload, len(payload)) == values
        if tail is not None:
            assert bytes(messages.tail(mid, payload, len(payload))) == tail
        fields = {}
        i = 0
        for f in row[4]:
            if f[-1] == "*":
                fields[f[:-1]] = tail
            else:
                fields[f] = values[i]
                i += 1
        assert messages.pack(row[1], **fields) == payload
        assert messages.unpack(mid, payload) == (row[1], fields)
        seen += 1
    assert seen == len(messages.TABLE)


def test_table_ids_and_names_unique():
    ids = [row[0] for row in messages.TABLE]
    names = [row[1] for row in messages.TABLE]
    assert len(set(ids)) == len(ids)
    assert len(set(names)) == len(names)
    for row in messages.TABLE:
        assert messages.spec(row[0])[1] <= MAX_PAYLOAD


def test_largest_frame_fits():
    payload = bytes([0xFF] * MAX_PAYLOAD)
    f = frame_bytes(messages.LOAD_CHUNK, 1, 2, payload)
    assert len(f) <= MAX_WIRE
    got, _ = collect(f)
    assert got[0][4] == payload
    assert MAX_BODY == 4 + MAX_PAYLOAD + 2


def test_garbage_between_frames_resynchronises():
    rng = Lcg(11)
    frames = [frame_bytes(messages.RUN_ZONE, i, 0, bytes([i])) for i in range(20)]
    stream = bytearray()
    for f in frames:
        stream += bytes([rng.next(256) for _ in range(rng.next(30))])
        stream += b"\x00"
        stream += f
    stream += bytes([1] * 600)  # a long run with no delimiter, then a frame
    stream += b"\x00" + frames[0]
    got, d = collect(bytes(stream))
    assert [g[2] for g in got] == list(range(20)) + [0]
    assert d.errors > 0


def test_split_feeds_give_the_same_frames():
    frames = b"".join(frame_bytes(messages.SHOT, i, i, bytes(range(i * 7 % 60))) for i in range(12))
    whole, _ = collect(frames)
    got = []
    d = Deframer()

    def on_frame(version, mid, seq, ack, payload, n):
        got.append((version, mid, seq, ack, bytes(payload[:n])))

    i = 0
    step = 1
    while i < len(frames):
        piece = frames[i:i + step]
        d.feed(piece, len(piece), on_frame)
        i += step
        step = step % 13 + 1
    assert got == whole and len(got) == 12


def test_every_single_bit_error_is_rejected():
    f = frame_bytes(messages.LOAD_CHUNK, 5, 6, bytes(range(1, 40)))
    for i in range(len(f) - 1):
        for bit in range(8):
            bad = bytearray(f)
            bad[i] ^= 1 << bit
            got, d = collect(bytes(bad))
            # A flip into 0x00 splits the frame in two: both halves fail too.
            assert got == [] and d.errors >= 1, (i, bit, got)


def test_truncated_and_short_frames_rejected():
    f = frame_bytes(messages.RUN_ZONE, 1, 1, b"\x03")
    got, d = collect(f[:3] + b"\x00" + b"\x01\x00" + f)
    assert len(got) == 1 and d.errors == 2
