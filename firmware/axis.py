"""One stepper axis as the core sees it: planned moves, position in steps, start and stop.

Moves are planned ahead into preallocated segment buffers (Move) so that starting and
following them on the shot path allocates nothing. The position follows the HAL's step
count, so a move stopped half-way still leaves an exact position.
"""

from array import array

from firmware import compat, motion, units
from firmware.hal import FORWARD


class Move:
    """A planned rest-to-rest move: its segments, step count and duration."""

    def __init__(self, capacity, ramp=None):
        self.capacity = capacity
        # 'i' is 32 bits on every port: the board HALs read the buffer as 32-bit words.
        self.segs = array("i", [0] * (motion.SEG_WORDS * capacity))
        self.prof = motion.Profile(ramp)  # ramp: the axis's (motion.Ramp), shared
        self.prof.bind(self.segs)  # its view: copies into segs that allocate nothing
        self.nseg = 0
        self.steps = 0
        self.duration_us = 0
        self.planned = False  # segs hold the plan of the figures below
        self.v = self.a = self.f = self.tol = 0
        # µs per tick as a fraction in lowest terms for the clock us_f (1/125 at 125 MHz):
        # the duration in µs is then one short division, where 10**6 / clock_hz takes
        # muldiv twenty one-bit digits (clock_hz leaves it no wider ones below 2**29).
        self.us_f = 0
        self.us_num = self.us_den = 1

    def plan(self, steps, v_sps, a_sps2, clock_hz, tol_ticks):
        """Plan steps at up to v_sps with a_sps2 (small ints, no allocation once the axis's
        first plan made its ramp; never on the shot path). The same move as the last one
        planned (the next shot of a zone) is already in the buffer: nothing to do."""
        if (self.planned and steps == self.steps and v_sps == self.v and a_sps2 == self.a
                and clock_hz == self.f and tol_ticks == self.tol):
            return
        self.planned = False
        self.steps = steps
        if steps <= 0:
            self.nseg = 0
            self.duration_us = 0
            return
        if compat.held and not motion.small(steps, v_sps, a_sps2):
            # Planned with the heap locked (a shot's prepare), but too long a move for small
            # ints: their wide values need the heap, which is freed for this plan alone.
            compat.unlock()
            try:
                self._plan(steps, v_sps, a_sps2, clock_hz, tol_ticks)
            finally:
                compat.lock()
        else:
            self._plan(steps, v_sps, a_sps2, clock_hz, tol_ticks)
        self.v = v_sps  # (one by one: a tuple of four would allocate)
        self.a = a_sps2
        self.f = clock_hz
        self.tol = tol_ticks
        self.planned = True

    def _plan(self, steps, v_sps, a_sps2, clock_hz, tol_ticks):
        self.nseg = motion.plan_into(self.prof, self.segs, self.capacity, steps, v_sps, a_sps2,
                                     clock_hz, tol_ticks)
        if clock_hz != self.us_f:
            g = units.gcd(1000000, clock_hz)
            self.us_num = 1000000 // g
            self.us_den = clock_hz // g
            self.us_f = clock_hz
        self.duration_us = motion.muldiv(self.prof.duration, self.us_num, self.us_den)

    def constant(self, steps, v_sps, clock_hz):
        """A slow move at constant speed (safe state, homing); allocates nothing."""
        self.planned = False
        self.steps = steps if steps > 0 else 0
        self.nseg = motion.constant(self.segs, self.steps, v_sps, clock_hz)
        # Small ints throughout: the interval is below 2**31 and steps below 2**20.
        self.duration_us = self.steps * (1000000 // v_sps)


class Axis:
    def __init__(self, hal, axis_id):
        self.hal = hal
        self.id = axis_id
        self.pos = 0  # motor steps from home
        self.start_pos = 0
        self.direction = FORWARD  # of the current or last move
        self.active = False

    def start(self, direction, move):
        """Start a planned move; the axis must be idle."""
        self.start_pos = self.pos
        self.direction = direction
        self.active = move.nseg > 0
        if self.active:
            self.hal.move(self.id, direction, move.segs, move.nseg)

    def update(self):
        """Follow the HAL's step count; return True while the axis still moves."""
        if not self.active:
            return False
        self.pos = self.start_pos + self.direction * self.hal.steps_done(self.id)
        if self.hal.moving(self.id):
            return True
        self.active = False
        return False

    def moved(self):
        """Steps executed by the current or last move."""
        return (self.pos - self.start_pos) * self.direction

    def stop(self):
        """Stop now, discard the rest of the move, keep the exact position."""
        if self.active:
            self.hal.stop(self.id)
            self.pos = self.start_pos + self.direction * self.hal.steps_done(self.id)
            self.active = False

    def zero(self):
        """Declare the current position home (after the home switch was seen)."""
        self.pos = 0
        self.start_pos = 0
