"""The sim board's HAL for the firmware run inside MicroPython: a proxy to the SimPy kernel.

`micropython -m firmware.ports.sim.serve` runs the real App and serves the simulator
(sim/mpy.py) over stdin/stdout in lock step, one line each way per request. The kernel sends
the world's state at the instant of the request; the App runs against it; the reply carries
what the App did to the hardware, in order, and what the kernel needs to follow it.

Requests (space-separated ints unless said):
    I now mode cal_ppm           start the App at clock now: dosing mode, stored calibration
    L json                       load a core-form protocol; reply: JSON list of problems
    C now inputs kpa pm pd cm cd name   a command (arm, ack_fault, refilled, abort)
    P now inputs kpa pm pd cm cd        a poll
where pm/pd and cm/cd are moving (0/1) and steps done of the plunger and the carriage.
Replies to C and P: writes, then `= result state fault zone evals roots` (the planner's work
counters, firmware/motion.py) and new shot-log records:
    m axis dir nseg interval count add ...   move
    s axis                                   stop
    o which 0|1                              output
    e 0|1                                    enable
    a name hex                               append to a file
    w name hex                               write a file atomically
    f name                                   open a file for writes in place
    p name at hex                            write at byte at (-1: at the end)
"""

import binascii

from firmware import hal


class ProxyHAL(hal.HAL):
    def __init__(self, board, own_usb=False):
        # own_usb: taken as every port's HAL takes it; the proxy has no console of its own.
        self.tick_mask = board.tick_mask
        self.step_clock_hz = board.step_clock_hz
        self.now = 0
        self.raw = 0
        self.kpa = hal.NO_PRESSURE
        self.moving_ = [False, False]
        self.done = [0, 0]
        self.out = []
        self.files = {}

    def take(self, f):
        """The world's state from a request's fields."""
        self.now = int(f[1])
        self.raw = int(f[2])
        self.kpa = int(f[3])
        self.moving_[0] = f[4] == "1"
        self.done[0] = int(f[5])
        self.moving_[1] = f[6] == "1"
        self.done[1] = int(f[7])

    def ticks(self):
        return self.now

    def idle(self, deadline):
        pass

    def move(self, axis, direction, segs, nseg):
        words = [str(segs[i]) for i in range(3 * nseg)]
        self.out.append("m %d %d %d %s" % (axis, direction, nseg, " ".join(words)))
        total = 0
        for i in range(nseg):
            total += segs[3 * i + 1]
        self.moving_[axis] = total > 0
        self.done[axis] = 0

    def moving(self, axis):
        return self.moving_[axis]

    def steps_done(self, axis):
        return self.done[axis]

    def stop(self, axis):
        self.out.append("s %d" % axis)
        self.moving_[axis] = False

    def enable(self, on):
        self.out.append("e %d" % (1 if on else 0))

    def inputs(self):
        return self.raw

    def pressure_kpa(self):
        return self.kpa

    def output(self, which, on):
        self.out.append("o %d %d" % (which, 1 if on else 0))

    def feed_watchdog(self):
        pass

    def read_file(self, name):
        return self.files.get(name)

    def write_file_atomic(self, name, data):
        self.files[name] = bytes(data)
        self.out.append("w %s %s" % (name, binascii.hexlify(data).decode()))

    def append_file(self, name, data):
        self.files[name] = self.files.get(name, b"") + bytes(data)
        self.out.append("a %s %s" % (name, binascii.hexlify(data).decode()))

    def remove_file(self, name):
        self.files.pop(name, None)
        self.out.append("r %s" % name)

    def open_file(self, name):
        if name not in self.files:
            self.files[name] = b""
        self.out.append("f %s" % name)

    def write_at(self, name, at, buf, start, n):
        data = bytes(buf[start:start + n])
        old = self.files.get(name, b"")
        end = len(old) if at < 0 else at
        if end > len(old):
            old += bytes(end - len(old))
        self.files[name] = old[:end] + data + old[end + n:]
        self.out.append("p %s %d %s" % (name, at, binascii.hexlify(data).decode()))

    def read_bytes(self, buf):
        return 0

    def write_bytes(self, data):
        pass


# The port's HAL, the one name boot takes from it.
HAL = ProxyHAL
