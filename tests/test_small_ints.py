"""Planning a board's shot moves keeps every value below 2**30, the small-int limit of a
32-bit MicroPython port (the unix port's small ints reach 2**62, so its heap-locked tests
cannot see a wide intermediate). The planner is run on I31 figures: an int whose every
arithmetic result, intermediates of an expression included, is checked and stays an I31.
What this proves: no value derived from the move's figures passes the limit on these moves.
What it does not: constants folded from literals alone, and ints the planner makes from
nothing (len(), range counters) are not wrapped."""

from array import array

import pytest

from firmware import board as boards
from firmware import motion

LIMIT = 1 << 30
seen = [0]


def _wrap(v):
    if isinstance(v, bool) or not isinstance(v, int):
        return v
    if not -LIMIT <= v < LIMIT:
        raise OverflowError("value %d passes 2**30" % v)
    seen[0] = max(seen[0], abs(v))
    return I31(v)


class I31(int):
    pass


def _op(name):
    base = getattr(int, name)
    return lambda self, *other: _wrap(base(self, *(int(o) if isinstance(o, int) else o
                                                   for o in other)))


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__lshift__",
              "__rlshift__", "__rshift__", "__rrshift__", "__and__", "__rand__", "__or__",
              "__ror__", "__neg__", "__abs__"):
    setattr(I31, _name, _op(_name))


def shot_moves(board):
    """(steps, v, a) of the board's shot moves: needle strokes to 4 mm, plunger moves of 10
    to 37 000 steps (37 000: 200 µL in a 1 mL syringe) at full, quarter and a slow 2000
    steps/s, those under 4 s (2**29 ticks at 125 MHz; the planner counts half ticks)."""
    car, pl = board.carriage, board.plunger
    moves = [(car.um_to_steps(d_um), car.max_speed_sps, car.accel_sps2)
             for d_um in (100, 500, 1000, 2500, 4000)]
    for steps in (10, 100, 1000, 3700, 10000, 37000):
        for v in (pl.max_speed_sps, pl.max_speed_sps // 4, 2000):
            if motion.move_time_us(steps, v, pl.accel_sps2) < 4000000:
                moves.append((steps, v, pl.accel_sps2))
    return moves


@pytest.mark.parametrize("name", ["pico", "esp32s3", "pyboard"])
def test_shot_moves_plan_in_small_ints(name):
    board = boards.by_name(name)
    prof = motion.Profile()
    segs = array("l", [0] * (3 * 512))
    for steps, v, a in shot_moves(board):
        # The ramp constant is made once per axis with wide ints (setup's first call).
        prof.setup(steps, v, a, board.step_clock_hz)
        seen[0] = 0
        nseg = motion.plan_into(prof, segs, 512, I31(steps), I31(v), I31(a),
                                I31(board.step_clock_hz), I31(board.step_tol_ticks))
        assert nseg > 0 and seen[0] > 1000  # the figures were followed
        assert motion.duration_ticks(segs, nseg) == prof.duration


def test_the_check_bites():
    # A move far beyond a shot (a minute at the slowest speed) does pass 2**30 ticks.
    board = boards.by_name("pico")
    prof = motion.Profile()
    segs = array("l", [0] * (3 * 512))
    prof.setup(60000, 1000, board.plunger.accel_sps2, board.step_clock_hz)
    with pytest.raises(OverflowError):
        motion.plan_into(prof, segs, 512, I31(60000), I31(1000), I31(board.plunger.accel_sps2),
                         I31(board.step_clock_hz), I31(board.step_tol_ticks))
