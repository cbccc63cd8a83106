"""Helpers for the wire tests, plain Python that also runs under MicroPython."""

from firmware.wire import messages
from firmware.wire.endpoint import Endpoint


class Lcg:
    """A tiny seeded generator, identical on every interpreter."""

    def __init__(self, seed):
        self.x = seed & 0x7FFFFFFF

    def next(self, n):
        self.x = (self.x * 1103515245 + 12345) & 0x7FFFFFFF
        return (self.x >> 8) % n


def sample_values(row, rng):
    """Field values that fit a table row's struct format, and a tail if it has one."""
    values = []
    fmt = row[3]
    i = 1
    while i < len(fmt):
        c = fmt[i]
        count = 1
        if c.isdigit():
            j = i
            while fmt[j].isdigit():
                j += 1
            count = int(fmt[i:j])
            c = fmt[j]
            i = j
        if c == "s":
            values.append(bytes([rng.next(256) for _ in range(count)]))
        elif c == "B":
            values.append(rng.next(256))
        elif c == "H":
            values.append(rng.next(65536))
        elif c == "I":
            values.append(rng.next(1 << 24) * 256 + rng.next(256))
        i += 1
    tail = None
    if row[4] and row[4][-1][-1] == "*":
        tail = bytes([rng.next(256) for _ in range(rng.next(40))] + [0, 0])
    return tuple(values), tail


class Wire:
    """Two endpoints joined by a wire the test controls, on a clock the test moves."""

    def __init__(self, window=4, rto_us=1000, period=1 << 30, start=0):
        self.now = start
        self.period = period
        self.a_out = []  # bytes written by a, not yet delivered to b
        self.b_out = []
        self.got_a = []
        self.got_b = []
        self.a = Endpoint(self._wa, self._da, window=window, rto_us=rto_us, mask=period - 1)
        self.b = Endpoint(self._wb, self._db, window=window, rto_us=rto_us, mask=period - 1)
        self.a.reset(start)
        self.b.reset(start)
        self.drop_a = None  # function(index, frame bytes) -> True to drop a's frame
        self.a_frames = 0

    def _wa(self, data):
        frame = bytes(data)
        i = self.a_frames
        self.a_frames += 1
        if self.drop_a is None or not self.drop_a(i, frame):
            self.a_out.append(frame)

    def _wb(self, data):
        self.b_out.append(bytes(data))

    def _da(self, mid, tag, payload, n, fresh):
        self.got_a.append((mid, tag, bytes(payload[:n]), fresh))

    def _db(self, mid, tag, payload, n, fresh):
        self.got_b.append((mid, tag, bytes(payload[:n]), fresh))

    def tick(self, dt_us=0):
        self.now = (self.now + dt_us) % self.period
        self.a.poll(self.now)
        self.b.poll(self.now)
        self.flush()

    def flush(self):
        while self.a_out or self.b_out:
            out, self.a_out = self.a_out, []
            for f in out:
                self.b.feed(f, len(f), self.now)
            out, self.b_out = self.b_out, []
            for f in out:
                self.a.feed(f, len(f), self.now)
            self.a.poll(self.now)
            self.b.poll(self.now)


def zones_sent(got):
    """RUN_ZONE numbers delivered, in order."""
    return [p[0] for (mid, tag, p, fresh) in got if mid == messages.RUN_ZONE]
