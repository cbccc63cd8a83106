"""Moves planned by the firmware's planner and checked against the emulated pins.

Shared by tests/emu and bench/emu: plan() runs firmware.motion with the board's figures,
trace() reads what the step and DIR pins did during a move, check() compares it with the
plan to the cycle.
"""

from array import array

from firmware import motion

SEG_CAPACITY = 400
# TMC2209 step input: DIR settles 20 ns before a STEP edge, STEP stays high and low 100 ns.
DIR_SETUP_NS = 20
PULSE_MIN_NS = 100


def ns_to_cycles(ns, hz):
    return -(-ns * hz // 1000000000)


def plan(board, axis_board, n_steps, v_sps, a_sps2):
    segs = array("i", [0] * 3 * SEG_CAPACITY)
    nseg, _ = motion.plan(segs, SEG_CAPACITY, n_steps, v_sps, a_sps2, board.step_clock_hz,
                          board.step_tol_ticks)
    return segs, nseg


def plan_top(board, axis_board, n_steps):
    """A move at the axis's top speed and acceleration."""
    return plan(board, axis_board, n_steps, axis_board.max_speed_sps, axis_board.accel_sps2)


class Trace:
    """What one axis's pins did from cycle `since` on: step pulses and the DIR level."""

    def __init__(self, pico, axis, since):
        self.pulses = [p for p in pico.pulses(axis) if p[0] > since]
        self.rises = [r for r, _ in self.pulses]
        dir_edges = pico.dir_edges(axis)
        first = self.rises[0] if self.rises else None
        before = [(v, c) for v, c in dir_edges if first is None or c < first]
        self.dir_level, self.dir_cycle = before[-1] if before else (None, None)
        self.dir_after = [(v, c) for v, c in dir_edges if first is not None and c >= first]


def check(pico, axis, since, segs, nseg, direction):
    """Compare the pins with the plan; returns a dict of findings (empty lists = all good)."""
    hz = pico.board.step_clock_hz
    tr = Trace(pico, axis, since)
    want = list(motion.expand(segs, nseg))
    want_iv = [b - a for a, b in zip(want, want[1:])]
    got_iv = [b - a for a, b in zip(tr.rises, tr.rises[1:])]
    lows = [tr.pulses[i + 1][0] - tr.pulses[i][1] for i in range(len(tr.pulses) - 1)]
    highs = [f - r for r, f in tr.pulses if f is not None]
    return {
        "steps_planned": len(want),
        "steps_on_pin": len(tr.rises),
        "steps_counted": pico.steps_done(axis),
        "interval_errors": [(i + 1, g - w) for i, (g, w) in enumerate(zip(got_iv, want_iv))
                            if g != w],
        "max_error_cycles": max([abs(g - w) for g, w in zip(got_iv, want_iv)] or [0]),
        "intervals_checked": min(len(got_iv), len(want_iv)),
        "min_high_cycles": min(highs or [0]),
        "min_low_cycles": min(lows or [10 ** 9]),
        "dir_ok": tr.dir_level == (1 if direction > 0 else 0) and not tr.dir_after,
        "dir_lead_cycles": (tr.rises[0] - tr.dir_cycle) if tr.rises and tr.dir_cycle else None,
        "pulse_min_cycles": ns_to_cycles(PULSE_MIN_NS, hz),
        "dir_setup_cycles": ns_to_cycles(DIR_SETUP_NS, hz),
        "first_rise": tr.rises[0] if tr.rises else None,
        "rises": tr.rises,
        "planned": want,
    }
