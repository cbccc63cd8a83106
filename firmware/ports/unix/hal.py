"""The HAL on MicroPython's unix port: the virtual board (boards/unix.py, sim/board.py).

Files live in the folder the interpreter runs in (the board's flash), the host link is the
interpreter's terminal, and each axis executes its step segments against the clock: a move
lasts exactly as long as its segments say, and steps_done() counts the steps already due.
The carriage's home switch closes at its home stop. Inputs stay inactive, unless the board runs with a bench
jig (environment MESO_JIG=1, `meso sim board --jig`): the nose rests on a container (contact
held) and the trigger is pulsed, as a calibration fixture does.
"""

import os
import time

import micropython
import termios

from firmware import hal
from firmware.ports.files import FileStore, StoredFiles
from firmware.ports.stream import Stream


class Axis:
    """One axis as the clock sees it: the segments of the current move and when it began."""

    def __init__(self):
        self.segs = None
        self.nseg = 0
        self.start_us = 0
        self.total_steps = 0
        self.stopped_at = -1
        self.direction = 1
        self.base_steps = 0  # position when the current move began (0 = at the home stop)

    def begin(self, direction, segs, nseg, now_us, done_before):
        self.base_steps = self.position(done_before)
        self.direction = direction
        self.segs, self.nseg, self.start_us = segs, nseg, now_us
        self.total_steps = sum(segs[3 * i + 1] for i in range(nseg))
        self.stopped_at = -1

    def position(self, done):
        """Steps from the home stop, which the axis cannot pass."""
        return max(0, self.base_steps + self.direction * done)

    def due(self, elapsed_ticks):
        """Steps whose time has come elapsed_ticks after the start of the move."""
        if self.stopped_at >= 0:
            return self.stopped_at
        t = 0
        done = 0
        segs = self.segs
        if segs is None:
            return 0
        for i in range(self.nseg):
            interval, count, add = segs[3 * i], segs[3 * i + 1], segs[3 * i + 2]
            span = count * interval + add * count * (count - 1) // 2
            if t + span <= elapsed_ticks:
                t += span
                done += count
                continue
            # Within this segment step k (from 0) fires at t + (k+1)*interval + add*k*(k+1)/2,
            # later for each k: count the due ones by bisection, not step by step.
            lo, hi = 0, count
            while lo < hi:
                mid = (lo + hi) // 2
                if t + (mid + 1) * interval + add * mid * (mid + 1) // 2 <= elapsed_ticks:
                    lo = mid + 1
                else:
                    hi = mid
            k = lo
            return done + k
        return done


# The jig's trigger: pressed JIG_PRESS_US out of every JIG_PERIOD_US.
JIG_PERIOD_US = 400000
JIG_PRESS_US = 60000


class HALUnix(StoredFiles, hal.HAL):
    """firmware.hal.HAL for the unix port."""

    tick_mask = (1 << 62) - 1
    ticks_per_s = 1000000

    def __init__(self, board, own_usb=False, data_folder="data"):
        self.step_clock_hz = board.step_clock_hz
        self.axes = (Axis(), Axis())
        self.inputs_bits = 0  # what a test or the virtual plant says is active
        self.jig = os.getenv("MESO_JIG") == "1"
        if os.getenv("MESO_HOLD_TRIGGER") == "1":  # the board's trigger held down (recovery)
            self.inputs_bits |= hal.IN_TRIGGER
        self.outputs = [False, False, False, False]
        self.folder = data_folder
        self.files = FileStore(data_folder)
        self.stream = Stream(False)  # own_console() takes the terminal over
        self.saved_tty = None
        if own_usb:
            self.own_console()

    # -- the console ---------------------------------------------------------------------
    def own_console(self):
        """The app owns the serial: Ctrl-C is data and the terminal passes bytes untouched."""
        # Raw first, then 0x03 as data; given back in the reverse order. On this port a 0x03
        # while the terminal still makes signals of it is SIGINT, which ends an interpreter
        # whose Ctrl-C is data (a board would pass the byte on): no moment has both.
        self.saved_tty = termios.tcgetattr(0)
        termios.setraw(0)
        micropython.kbd_intr(-1)

    def release_console(self):
        """Give the serial back to the REPL (maintenance)."""
        micropython.kbd_intr(3)
        saved = self.saved_tty
        if saved is not None:
            termios.tcsetattr(0, termios.TCSANOW, saved)
            self.saved_tty = None

    # -- clock ---------------------------------------------------------------------------
    def ticks(self):
        return time.ticks_us()

    def idle(self, deadline):
        wait_us = time.ticks_diff(deadline, time.ticks_us())
        if wait_us > 0:
            self.stream.poller.poll((wait_us + 999) // 1000)  # returns early when the host writes

    # -- motion --------------------------------------------------------------------------
    def _elapsed(self, axis):
        us = time.ticks_diff(time.ticks_us(), self.axes[axis].start_us)
        return us * self.step_clock_hz // 1000000

    def move(self, axis, direction, segs, nseg):
        done = self.steps_done(axis)
        self.axes[axis].begin(direction, segs, nseg, time.ticks_us(), done)

    def moving(self, axis):
        a = self.axes[axis]
        return a.segs is not None and self.steps_done(axis) < a.total_steps

    def steps_done(self, axis):
        a = self.axes[axis]
        if a.segs is None:
            return 0
        return a.due(self._elapsed(axis))

    def stop(self, axis):
        a = self.axes[axis]
        if a.segs is not None:
            a.stopped_at = a.due(self._elapsed(axis))

    def enable(self, on):
        self.outputs[hal.OUT_ENABLE] = bool(on)

    # -- inputs and outputs --------------------------------------------------------------
    def inputs(self):
        bits = self.inputs_bits
        if self.axes[hal.AXIS_CARRIAGE].position(self.steps_done(hal.AXIS_CARRIAGE)) == 0:
            bits |= hal.IN_CARRIAGE_HOME
        if not self.jig:
            return bits
        bits |= hal.IN_CONTACT
        if time.ticks_diff(time.ticks_us(), 0) % JIG_PERIOD_US < JIG_PRESS_US:
            bits |= hal.IN_TRIGGER
        return bits

    def pressure_kpa(self):
        return hal.NO_PRESSURE

    def output(self, which, on):
        self.outputs[which] = bool(on)

    def feed_watchdog(self):
        pass

    # -- byte stream ---------------------------------------------------------------------
    def read_bytes(self, buf):
        return self.stream.read_bytes(buf)

    def write_bytes(self, data):
        self.stream.write_bytes(data)


# The port's HAL, the one name boot takes from it.
HAL = HALUnix
