"""The firmware's HAL over the simulated world, so the real core runs unchanged.

Reads see the world at the current simulated instant; nothing here advances time. The
same reads and writes, in the same order, are what the MicroPython child's proxy HAL
exchanges with the kernel (sim/mpy.py), which is why both give the same shot log.
"""

from firmware import hal
from firmware.hal import (
    IN_CARRIAGE_HOME,
    IN_CONTACT,
    IN_PLUNGER_END,
    IN_PLUNGER_HOME,
    IN_STALL_CARRIAGE,
    IN_STALL_PLUNGER,
    IN_TRIGGER,
)


class SimHAL(hal.HAL):
    def __init__(self, world):
        self.world = world
        self.tick_period = world.board.tick_period
        self.tick_mask = world.board.tick_mask
        self.ticks_per_s = 1000000
        self.step_clock_hz = world.board.step_clock_hz
        self.files = {}
        self.out = {}
        self.enabled = False
        self.watchdog_fed = 0
        self.tx = bytearray()
        self.axes = None

    # clock
    def ticks(self):
        return self.world.clock.ticks_us()

    def idle(self, deadline):
        """Not used: the world's main loop schedules polls in simulated time itself."""

    # motion (the executors by axis id, looked up once)
    def _axes(self):
        w = self.world
        self.axes = {hal.AXIS_PLUNGER: w.plunger_exec, hal.AXIS_CARRIAGE: w.carriage_exec}
        return self.axes

    def move(self, axis, direction, segs, nseg):
        (self.axes or self._axes())[axis].move(direction, segs, nseg)

    def moving(self, axis):
        return (self.axes or self._axes())[axis].moving()

    def steps_done(self, axis):
        return (self.axes or self._axes())[axis].steps_done()

    def stop(self, axis):
        (self.axes or self._axes())[axis].stop()

    def enable(self, on):
        self.enabled = bool(on)

    # inputs and outputs
    def inputs(self):
        w = self.world
        if w.env.now != w.synced_at:
            w.sync()
        return input_bits(w)  # world.input_bits(), without the call between

    def pressure_kpa(self):
        w = self.world
        if not w.has_sensor:
            return hal.NO_PRESSURE
        if w.env.now != w.synced_at:
            w.sync()
        pl = w.plunger
        return int(pl._p(pl.v) + 0.5)  # world.pressure_kpa(), without the calls between

    def output(self, which, on):
        on = bool(on)
        if self.out.get(which) != on:
            self.out[which] = on
            self.world.output_changed(which, on)

    def feed_watchdog(self):
        self.watchdog_fed += 1

    # storage: a flash file system that survives the simulated power cut
    def read_file(self, name):
        data = self.files.get(name)
        return None if data is None else bytes(data)

    def write_file_atomic(self, name, data):
        self.files[name] = bytes(data)

    def append_file(self, name, data):
        self.files[name] = self.files.get(name, b"") + bytes(data)

    def remove_file(self, name):
        self.files.pop(name, None)

    def open_file(self, name):
        self.files.setdefault(name, b"")

    def write_at(self, name, at, buf, start, n):
        self.files[name] = written_at(self.files.get(name, b""), at, bytes(buf[start:start + n]))

    # byte stream: no host on a `sim run`
    def read_bytes(self, buf):
        return 0

    def write_bytes(self, data):
        self.tx += data


def input_bits(world):
    """The raw input levels of the world as IN_* bits (shared by both HALs)."""
    op = world.operator_state
    stuck = world.stuck
    pl = world.plunger
    car = world.carriage
    bits = 0
    if op.trigger or (stuck and stuck.get("trigger")):
        bits |= IN_TRIGGER
    if op.contact and not (stuck and stuck.get("contact_off")):
        bits |= IN_CONTACT
    if pl.rod_um <= 0.0 and pl.steps <= 0:
        bits |= IN_PLUNGER_HOME
    if pl.swept_ul >= pl.fill_ul or (stuck and stuck.get("plunger_end")):  # pl.empty()
        bits |= IN_PLUNGER_END
    if car.home() or (stuck and stuck.get("carriage_home")):
        bits |= IN_CARRIAGE_HOME
    # DIAG follows the load alone, so a read after stop() in the same poll sees the same.
    if pl._p(pl.v) + pl.stiction > pl.stall_kpa or (stuck and stuck.get("stall")):  # stalled()
        bits |= IN_STALL_PLUNGER
    if car.stalled:
        bits |= IN_STALL_CARRIAGE
    return bits


def written_at(old, at, data):
    """A file's bytes old after data is written at byte at (at < 0: at the end), as a file
    opened for writing in place takes it (a gap before at reads as zeros)."""
    if at < 0:
        at = len(old)
    old = bytes(old) + bytes(max(0, at - len(old)))
    return old[:at] + data + old[at + len(data):]
