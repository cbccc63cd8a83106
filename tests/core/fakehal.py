"""A HAL for core tests: moves run on a clock the test advances, inputs are set by the test.

It runs under CPython and MicroPython alike and its shot-path methods allocate nothing, so
the same fake serves the heap-locked shot. Steps done by a move are worked out from its
segments and the elapsed time, as a step generator would have made them.
"""

from firmware import hal as H
from firmware import ticks

UNIX_PERIOD = 1 << 30


class FakeHAL(H.HAL):
    def __init__(self, board, start_us=0, period=UNIX_PERIOD):
        self.tick_period = period
        self.tick_mask = period - 1
        self.step_clock_hz = board.step_clock_hz
        self.now = start_us % period
        self.raw = 0
        self.kpa = H.NO_PRESSURE
        self.outputs = [False, False, False, False]
        self.enabled = False
        self.files = {}
        self.watchdog_feeds = 0
        # per axis: segs, nseg, direction, start tick, stopped-at steps (-1 while running)
        self.segs = [None, None]
        self.nseg = [0, 0]
        self.dirs = [0, 0]
        self.start = [0, 0]
        self.stopped = [0, 0]
        self.total = [0, 0]  # steps of the move
        self.position = [0, 0]  # absolute motor position before the current move
        self.moves = [0, 0]  # moves started, per axis

    # clock
    def ticks(self):
        return self.now

    def advance(self, us):
        self.now = ticks.add(self.now, us, self.tick_mask)

    # motion
    def move(self, axis, direction, segs, nseg):
        # The last move ended (the core starts moves on idle axes only); count it whole or
        # as far as it was stopped, before its segment buffer is reused.
        done = self.stopped[axis] if self.stopped[axis] >= 0 else self.total[axis]
        self.position[axis] += self.dirs[axis] * done
        self.segs[axis] = segs
        self.nseg[axis] = nseg
        self.dirs[axis] = direction
        self.start[axis] = self.now
        self.stopped[axis] = -1
        total = 0
        for s in range(nseg):
            total += segs[3 * s + 1]
        self.total[axis] = total
        self.moves[axis] += 1

    def _done(self, axis):
        if self.stopped[axis] >= 0:
            return self.stopped[axis]
        segs = self.segs[axis]
        if segs is None:
            return 0
        elapsed_us = ticks.diff(self.now, self.start[axis], self.tick_mask)
        limit = elapsed_us * (self.step_clock_hz // 1000000)
        t = 0
        done = 0
        for s in range(self.nseg[axis]):
            b = 3 * s
            interval = segs[b]
            count = segs[b + 1]
            add = segs[b + 2]
            end = t + count * interval + add * (count * (count - 1) // 2)
            if end <= limit:
                t = end
                done += count
                continue
            for _ in range(count):
                t += interval
                if t > limit:
                    return done
                done += 1
                interval += add
            return done
        return done

    def steps_done(self, axis):
        return self._done(axis)

    def moving(self, axis):
        return self._done(axis) < self.total[axis] and self.stopped[axis] < 0

    def stop(self, axis):
        if self.stopped[axis] < 0:
            self.stopped[axis] = self._done(axis)

    def motor_position(self, axis):
        return self.position[axis] + self.dirs[axis] * self._done(axis)

    def enable(self, on):
        self.enabled = on

    # io
    def inputs(self):
        return self.raw

    def set_input(self, bit, on):
        if on:
            self.raw |= bit
        else:
            self.raw &= ~bit

    def pressure_kpa(self):
        return self.kpa

    def output(self, which, on):
        self.outputs[which] = on

    def feed_watchdog(self):
        self.watchdog_feeds += 1

    # storage
    def read_file(self, name):
        data = self.files.get(name)
        return None if data is None else bytes(data)

    def write_file_atomic(self, name, data):
        self.files[name] = bytearray(data)

    def append_file(self, name, data):
        if name not in self.files:
            self.files[name] = bytearray()
        self.files[name] += data

    def remove_file(self, name):
        self.files.pop(name, None)

    def open_file(self, name):
        if name not in self.files:
            self.files[name] = bytearray()

    def write_at(self, name, at, buf, start, n):
        # Allocates (the dict's bytearray grows); tests/mpy/test_heaplock.py's whole session
        # writes through the boards' real file store instead.
        f = self.files.get(name)
        if f is None:
            f = self.files[name] = bytearray()
        if at < 0:
            at = len(f)
        if at + n > len(f):
            f.extend(bytes(at + n - len(f)))
        f[at:at + n] = buf[start:start + n]

    # byte stream
    def read_bytes(self, buf):
        return 0

    def write_bytes(self, data):
        pass
