"""Step segments as RMT pulse lists for the ESP32-S3: (duration, level) entries, a chunk at a time.

A step is a low stretch then a PULSE_TICKS high; its rising edge falls exactly on the step
time (the first low of a move is one pulse longer, since no high precedes it). Lows longer
than the RMT's 15-bit PULSE_MAX are split. A chunk is always full: after the last step it is
padded with 1-tick lows, so the same preallocated lists go to RMT.write_pulses every time.
"""

import micropython
from micropython import const

PULSE_TICKS = const(20)  # 2 µs high at the 10 MHz RMT clock (TMC2209 needs 100 ns)
PULSE_MAX = const(32767)


class PulseFeeder:
    """Expands one move into successive chunks; no allocation once built."""

    def __init__(self):
        self.segs = ()
        self.start((), 0)

    def start(self, segs, nseg):
        self.segs = segs
        self.nseg = nseg
        self.seg = 0
        self.left = 0
        self.interval = 0
        self.add = 0
        self.low = 0  # low ticks still to emit for the step in progress
        self.high = False  # the step in progress still needs its high
        self.first = True
        self.chunk_steps = 0  # steps in the chunk last filled
        self.chunk_ticks = 0  # its duration, padding included

    @micropython.native
    def fill(self, durations, levels):
        """Fill the lists with the next entries; return how many carry the move (0: done)."""
        size = len(durations)
        n = 0
        steps = 0
        ticks = 0
        while n < size:
            if self.low > 0:
                d = self.low if self.low < PULSE_MAX else PULSE_MAX
                durations[n] = d
                levels[n] = False
                self.low -= d
                ticks += d
                n += 1
            elif self.high:
                durations[n] = PULSE_TICKS
                levels[n] = True
                self.high = False
                ticks += PULSE_TICKS
                steps += 1
                n += 1
            elif self.left > 0:
                self.low = self.interval if self.first else self.interval - PULSE_TICKS
                self.first = False
                self.high = True
                self.interval += self.add
                self.left -= 1
            elif self.seg < self.nseg:
                b = 3 * self.seg
                segs = self.segs
                self.interval = segs[b]
                self.left = segs[b + 1]
                self.add = segs[b + 2]
                self.seg += 1
            else:
                break
        used = n
        while n < size:
            durations[n] = 1
            levels[n] = False
            ticks += 1
            n += 1
        self.chunk_steps = steps
        self.chunk_ticks = ticks
        return used
