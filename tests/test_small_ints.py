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


def test_a_move_made_after_start_up_takes_its_axis_ramp_constant_in_small_ints():
    # A dose model's take-up and two-part dose Moves are made at a protocol's load, after
    # start-up, on the plunger's Ramp. Their first plan (a shot's prepare, heap locked) used
    # to make the ramp constant 2 F²/a anew: past 2**30 on a 32-bit port, where the heap
    # locked raised MemoryError. They take it from the Ramp, made there at start-up.
    board = boards.by_name("pico")
    pl = board.plunger
    ramp = motion.Ramp()
    motion.warm(motion.Profile(ramp), pl.max_speed_sps, pl.accel_sps2, board.step_clock_hz,
                board.step_tol_ticks)
    later = motion.Profile(ramp)
    segs = array("l", [0] * (3 * 512))
    for steps in (3000, 800):
        seen[0] = 0
        nseg = motion.plan_into(later, segs, 512, I31(steps), I31(pl.max_speed_sps // 4),
                                I31(pl.accel_sps2), I31(board.step_clock_hz),
                                I31(board.step_tol_ticks))
        assert nseg > 0 and seen[0] > 1000
        assert motion.duration_ticks(segs, nseg) == later.duration


@pytest.mark.parametrize("name", ["pico", "esp32s3", "pyboard"])
def test_every_move_motion_small_passes_plans_in_small_ints(name):
    # A shot's prepare() plans with the heap locked, where a wide int raises MemoryError:
    # the moves motion.small() lets it plan so must stay under 2**30, at its edges too.
    board = boards.by_name(name)
    segs = array("l", [0] * (3 * 4096))
    for ax in (board.plunger, board.carriage):
        a = ax.accel_sps2
        for v in sorted({min(ax.max_speed_sps, a - 1), ax.max_speed_sps // 4, 2000, 200}):
            for steps in (2, 100, v // 2, v - 1, min(v - 1, 45999)):
                if not (steps > 1 and motion.small(steps, v, a)):
                    continue
                ramp = motion.Ramp()
                motion.warm(motion.Profile(ramp), ax.max_speed_sps, a, board.step_clock_hz,
                            board.step_tol_ticks)
                prof = motion.Profile(ramp)  # its ramp constant from the ramp
                nseg = motion.plan_into(prof, segs, 4096, I31(steps), I31(v), I31(a),
                                        I31(board.step_clock_hz), I31(board.step_tol_ticks))
                assert nseg > 0, (steps, v)
    assert not motion.small(46000, 10 ** 6, 10 ** 7) and not motion.small(3000, 2000, 10 ** 6)


@pytest.mark.parametrize("name", ["pico", "esp32s3", "pyboard"])
def test_the_holds_let_out_and_the_doses_sweep_share_stay_small_ints(name):
    # firmware/line.py works these out on the shot path (each poll of a hold) and while
    # planning a dose: every syringe of the board, falls from 2 ms to 8 s per kPa, spans
    # measured up to 200 kPa, doses of 1 µL to the board's largest.
    from firmware import dosing, line

    board = boards.by_name(name)
    for syringe in board.syringes:
        d = dosing.Dosing(board, syringe, fluid=(32, 4000, 2000))
        ref = d.ref
        # Worked out once, at start-up and priming (wide ints allowed there).
        ref.acc_steps, ref.acc_ms, ref.ms2_per_step_k = (I31(v) for v in line.ramp_figures(
            board.plunger))
        ref.v_sps = I31(ref.v_sps)
        ref.steps_w = I31(d.scale.steps(ref.c_nl_kpa * line.HOLD_KPA))
        d.backlash = I31(d.backlash)
        ref.hold_kpa = I31(ref.hold_kpa)
        ref.c_nl_kpa = I31(ref.c_nl_kpa)
        for air in (2000, 8466, 100000, 8000000):
            ref.air_us_per_kpa = I31(air)
            seen[0] = 0
            for u in (2000, 6000, 9000, 30000, 200000, 999999, 5000000, 8000000):
                for mid_dk in (0, 995, 1005, 1100, 1500, 2000):
                    out = ref.delta_mkpa(I31(u), I31(mid_dk))
                    assert 0 <= out <= line.DELTA_MAX_MKPA
            assert seen[0] > 1000  # the figures were followed
            for dose_nl in (1000, 10000, 100000, board.dose_max_nl):
                pct = ref.sweep_pct(I31(dose_nl))
                assert line.SWEEP_PCT <= pct <= line.SWEEP_MAX_PCT + line.BOOST_MAX_PCT


class Wide(int):
    """2**30: a heap object on a 31-bit port, where each sum, shift or remainder with it
    allocates; here any arithmetic on it fails."""


def _refuse(self, *other):
    raise OverflowError("arithmetic on %d, which is no small int on a 31-bit port" % self)


for _name in ("__add__", "__radd__", "__sub__", "__rsub__", "__mul__", "__rmul__",
              "__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__lshift__",
              "__rshift__", "__and__", "__rand__", "__or__", "__ror__", "__neg__"):
    setattr(Wide, _name, _refuse)


def test_a_shot_cycles_clock_arithmetic_stays_in_small_ints_on_the_rp2040():
    # The main-loop clock wraps at 2**30 on the RP2040, and 2**30 itself is no small int
    # there: run under heap_lock() on the rp2 port, the shot cycle raised MemoryError in
    # ticks.diff() while the code carried the period. It carries the mask (2**30 - 1) now.
    from fakehal import FakeHAL
    from rig import Rig, point_zone, protocol

    board = boards.by_name("pico")
    hal = FakeHAL(board, start_us=(1 << 30) - 2000000, period=1 << 30)  # wraps mid-session
    hal.tick_period = Wide(1 << 30)
    hal.tick_mask = I31((1 << 30) - 1)
    hal.now = I31(hal.now)
    rig = Rig(protocol([point_zone(points=3, pace_ms=1800)], syringe_ml=1), board=board, hal=hal)
    rig.arm()
    seen[0] = 0
    for _ in range(2):
        rig.pull()
        rig.run_until("armed")
    assert isinstance(hal.now, I31) and hal.now < 1 << 29  # the clock wrapped, followed
    assert seen[0] > 1 << 29


@pytest.mark.parametrize("name", ["pico", "esp32s3", "pyboard"])
def test_a_depth_converts_to_steps_in_small_ints(name):
    # Each zone's depth goes through um_to_steps() when its shot is planned, on the shot
    # path; on the rp2 port 1 mm times the pico's 3 200 000 steps per m allocated there.
    board = boards.by_name(name)
    for axis in (board.carriage, board.plunger):
        for um in (1, 100, 1000, 2500, axis.travel_um):
            seen[0] = 0
            steps = int(axis.um_to_steps(I31(um)))
            assert steps == round(um * axis.num / (axis.den * 1000))
            assert axis.steps_to_um(I31(steps)) == round(steps * axis.den * 1000 / axis.num)
