"""A virtual gun for the link: the real App and Link on a HAL clocked by the caller.

The mechanics here are deliberately plain (a move's steps spread evenly over its planned
duration, skin contact always made, an operator who presses the trigger whenever the gun is
armed); the physics belong to the simulator's world. Files live in a folder, so a device
started again on the same folder has been power-cycled: stored protocol and shot journal
survive.
"""

import os

from firmware import board as boards
from firmware import hal as H
from firmware import motion, ticks
from firmware.app import App
from firmware.link import Link
from firmware.shot import ARMED

OPERATOR_WAIT_US = 120000  # from armed to the trigger press
PRESS_US = 40000  # how long the trigger stays down


class StandInHAL(H.HAL):
    def __init__(self, board, state_dir, start_us):
        self.tick_period = board.tick_period
        self.step_clock_hz = board.step_clock_hz
        self.now = start_us % self.tick_period
        self.state_dir = state_dir
        self.rx = bytearray()
        self.tx = bytearray()
        self.trigger = False
        self.outputs = [False] * 4
        # per axis: start tick, duration µs, steps, steps when stopped (-1 running), position
        self.start = [0, 0]
        self.duration = [0, 0]
        self.steps = [0, 0]
        self.frozen = [0, 0]
        self.dirs = [0, 0]
        self.position = [0, 0]

    def ticks(self):
        return self.now

    def move(self, axis, direction, segs, nseg):
        self.position[axis] += self.dirs[axis] * self.steps_done(axis)
        self.start[axis] = self.now
        self.steps[axis] = sum(segs[3 * s + 1] for s in range(nseg))
        self.duration[axis] = motion.duration_ticks(segs, nseg) * 1000000 // self.step_clock_hz
        self.dirs[axis] = direction
        self.frozen[axis] = -1

    def _elapsed(self, axis):
        return ticks.diff(self.now, self.start[axis], self.tick_period)

    def steps_done(self, axis):
        if self.frozen[axis] >= 0:
            return self.frozen[axis]
        d = self.duration[axis]
        e = self._elapsed(axis)
        if e >= d:
            return self.steps[axis]
        return self.steps[axis] * e // d

    def moving(self, axis):
        return self.frozen[axis] < 0 and self._elapsed(axis) < self.duration[axis]

    def stop(self, axis):
        if self.frozen[axis] < 0:
            self.frozen[axis] = self.steps_done(axis)

    def enable(self, on):
        pass

    def inputs(self):
        bits = H.IN_CONTACT
        if self.position[1] + self.dirs[1] * self.steps_done(1) <= 0:
            bits |= H.IN_CARRIAGE_HOME
        if self.trigger:
            bits |= H.IN_TRIGGER
        return bits

    def pressure_kpa(self):
        return H.NO_PRESSURE

    def output(self, which, on):
        self.outputs[which] = on

    def feed_watchdog(self):
        pass

    def _path(self, name):
        return os.path.join(self.state_dir, name)

    def read_file(self, name):
        try:
            with open(self._path(name), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def write_file_atomic(self, name, data):
        tmp = self._path(name + ".tmp")
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self._path(name))

    def append_file(self, name, data):
        with open(self._path(name), "ab") as f:
            f.write(data)

    def read_bytes(self, buf):
        n = min(len(buf), len(self.rx))
        buf[:n] = self.rx[:n]
        del self.rx[:n]
        return n

    def write_bytes(self, data):
        self.tx += data


class VirtualDevice:
    """App + Link on the stand-in HAL; advance(now_us) runs the gun up to a time."""

    def __init__(self, state_dir, device_id="sim-0001", start_us=0):
        os.makedirs(state_dir, exist_ok=True)
        self.board = boards.by_name("sim")
        self.hal = StandInHAL(self.board, state_dir, start_us)
        self.app = App(self.hal, self.board)
        self.link = Link(self.hal, self.app, self.board, device_id)
        self.deadline = self.hal.now
        self.start_us = self.hal.now
        self.armed_at = -1
        self.release_at = -1
        self.link.start()

    def _operator(self, now):
        """The practitioner: press the trigger a moment after the gun is armed."""
        hal = self.hal
        if self.release_at >= 0 and ticks.diff(now, self.release_at, hal.tick_period) >= 0:
            hal.trigger = False
            self.release_at = -1
        if self.app.machine.state != ARMED:
            self.armed_at = -1
            return -1
        if self.armed_at < 0:
            self.armed_at = now
        press = ticks.add(self.armed_at, OPERATOR_WAIT_US, hal.tick_period)
        if not hal.trigger and ticks.diff(now, press, hal.tick_period) >= 0:
            hal.trigger = True
            self.release_at = ticks.add(now, PRESS_US, hal.tick_period)
            self.armed_at = now
            return self.release_at
        return press if not hal.trigger else self.release_at

    def host_spoke(self):
        pass

    def advance(self, sim_s):
        """Run the App (and the operator) through every deadline up to sim_s seconds after
        power-up; return the seconds to the next deadline."""
        hal = self.hal
        period = hal.tick_period
        target = (self.start_us + int(sim_s * 1e6)) % period
        while True:
            wake = self._operator(hal.now)
            nxt = self.deadline
            if wake >= 0 and ticks.diff(wake, nxt, period) < 0:
                nxt = wake
            if ticks.diff(nxt, target, period) > 0:
                break
            if ticks.diff(nxt, hal.now, period) > 0:
                hal.now = nxt
            self.deadline = self.app.poll(hal.now)
        hal.now = target
        self.deadline = self.app.poll(target)
        return ticks.diff(self.deadline, target, period) / 1e6
