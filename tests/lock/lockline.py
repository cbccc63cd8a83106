"""A gun (the real Gun and GuardedLink on the FakeHAL) on a line that several hosts share.

Each host is a real host Session over a transport that writes into the gun's input and
hears everything the gun sends, as a party with cable access would. The gun's clock follows
the wall clock, so the host's timeouts and the gun's link timeout keep their ratio. A
FakeHAL file store can be cut: the n-th write point raises PowerCut (a BaseException, so
that no `except Exception` in the firmware survives it), leaving the files as a power cut
would: a write cut after any byte leaves that much of name.tmp, a cut before a rename a
whole one.
"""

import os
import time

from rig import Rig

from firmware import hal as H
from firmware import ticks
from firmware.gun import Gun
from firmware.wire import messages as M
from host.link.session import Session


class PowerCut(BaseException):
    pass


class Cutter:
    """Counts write points; raises PowerCut at point `at` (None: never)."""

    def __init__(self, at=None):
        self.at = at
        self.points = 0

    def point(self, left=None):
        """One write point; left() puts down what a cut here leaves, before the cut."""
        self.points += 1
        if self.at is not None and self.points == self.at:
            if left is not None:
                left()
            raise PowerCut()


def cuttable(hal, cutter):
    """Make the HAL's storage writes cut points (a write: torn after every byte, then renamed)."""
    files = hal.files

    def write_file_atomic(name, data):
        data = bytes(data)
        tmp = name + ".tmp"
        for n in range(len(data) + 1):  # torn after every byte
            cutter.point()
            files[tmp] = bytearray(data[:n])
        cutter.point()
        files[name] = files.pop(tmp)

    def append_file(name, data):
        cutter.point()
        files.setdefault(name, bytearray())
        files[name] += bytes(data)[: len(data) // 2]
        cutter.point()
        files[name] += bytes(data)[len(data) // 2:]

    def write_at(name, at, buf, start, n):
        data = bytes(buf[start:start + n])
        f = files.setdefault(name, bytearray())
        at = len(f) if at < 0 else at
        for lo, hi in ((0, n // 2), (n // 2, n)):  # torn half way
            cutter.point()
            f.extend(bytes(max(0, at + hi - len(f))))
            f[at + lo:at + hi] = data[lo:hi]

    def remove_file(name):
        cutter.point()
        files.pop(name, None)
        files.pop(name + ".tmp", None)

    hal.write_file_atomic = write_file_atomic
    hal.remove_file = remove_file
    hal.append_file = append_file
    hal.write_at = write_at


class Line:
    def __init__(self, files=None, cutter=None, device_id="gun-1", held_trigger=False):
        self.rig = Rig()
        hal = self.rig.hal
        hal.idle = lambda deadline: hal.advance(max(1, ticks.diff(deadline, hal.now,
                                                                  hal.tick_mask)))
        hal.set_input(H.IN_TRIGGER, held_trigger)
        for name, data in (files or {}).items():
            hal.files[name] = bytearray(data)
        if cutter is not None:
            cuttable(hal, cutter)
        self.to_gun = bytearray()
        self.taps = []
        self.keepalive = []
        hal.read_bytes = self._gun_reads
        hal.write_bytes = self._gun_writes
        self.wall0 = time.monotonic_ns() // 1000
        self.gun = Gun(hal, self.rig.app, self.rig.board, device_id, os.urandom,
                       lambda: hal.now // 1000)
        hal.set_input(H.IN_TRIGGER, False)  # released once the gun is up
        self.link = self.gun.link

    def files(self):
        return {k: bytes(v) for k, v in self.rig.hal.files.items()}

    def _gun_reads(self, buf):
        n = min(len(buf), len(self.to_gun))
        buf[:n] = self.to_gun[:n]
        del self.to_gun[:n]
        return n

    def _gun_writes(self, data):
        for tap in self.taps:
            tap += bytes(data)

    def run(self):
        """Let the gun catch up with the wall clock."""
        hal = self.rig.hal
        wall = time.monotonic_ns() // 1000 - self.wall0
        while hal.now < wall:
            hal.advance(min(2000, wall - hal.now))
            self.rig.poll()
            self.link.poll(hal.now)
        self.link.poll(hal.now)

    def advance(self, us):
        """Move the gun's clock on by us at once (the wall clock follows from here); the
        sessions in keepalive heartbeat every 200 ms of it, as a host that waits does."""
        hal = self.rig.hal
        end = hal.now + us
        beat = hal.now
        while hal.now < end:
            hal.advance(min(2000, end - hal.now))
            self.rig.poll()
            if hal.now - beat >= 200000:
                beat = hal.now
                for s in self.keepalive:
                    s.ep.send_rt(M.STATUS_REQ, s._next_tag())
            self.link.poll(hal.now)
        self.wall0 -= us

    def host(self, handshake=True):
        s = Session(HostEnd(self), 115200)
        if handshake:
            s.handshake()
        return s


class HostEnd:
    """A host's transport on the line."""

    port = "line"

    def __init__(self, line):
        self.line = line
        self.inbox = bytearray()
        line.taps.append(self.inbox)
        self.wire_free_us = 0
        self.bytes_out = self.bytes_in = 0

    def read(self, wait_s):
        self.line.run()
        if not self.inbox and wait_s > 0:
            time.sleep(min(wait_s, 0.001))
            self.line.run()
        data = bytes(self.inbox)
        self.inbox.clear()
        return data

    def write(self, data):
        self.line.to_gun += bytes(data)

    def room(self, frame_bytes):
        return frame_bytes

    def close(self):
        self.line.taps[:] = [t for t in self.line.taps if t is not self.inbox]
