"""The trapezoid planner: exact step counts, step times within the bound, integer-only."""

import math
from array import array

from check import raises, scaled
from prng import Prng

from firmware import board as boards
from firmware import motion
from firmware.axis import Move

F_HZ = 125000000
TOL_TICKS = 125  # 1 µs at 125 MHz


def exact_s(n, total, v, a):
    """Time of step n of a rest-to-rest move, in seconds, from the textbook formulas."""
    d_a = v * v / (2 * a)
    if v * v <= a * total:
        t_total = total / v + v / a
        if n <= d_a:
            return math.sqrt(2 * n / a)
        if n >= total - d_a:
            return t_total - math.sqrt(2 * (total - n) / a)
        return v / a + (n - d_a) / v
    t_total = 2 * math.sqrt(total / a)
    if n <= total / 2:
        return math.sqrt(2 * n / a)
    return t_total - math.sqrt(2 * (total - n) / a)


def worst_error_us(segs, nseg, total, v, a):
    worst = 0.0
    n = 0
    for t in motion.expand(segs, nseg):
        n += 1
        err = abs(t / F_HZ - exact_s(n, total, v, a)) * 1e6
        worst = max(worst, err)
    assert n == total, "planned %d steps, expected %d" % (n, total)
    return worst


def test_isqrt_is_exact():
    for n in (0, 1, 2, 3, 4, 15, 16, 17, 10**12, 10**12 + 1, 2**64 - 1, 3 * 10**30):
        r = motion.isqrt(n)
        assert r * r <= n < (r + 1) * (r + 1)


def test_random_moves_within_one_microsecond():
    rng = Prng(7)
    segs = array("l", [0] * (3 * 2048))
    moves = scaled(150, 25)
    top = scaled(20000, 3000)
    worst = 0.0
    for _ in range(moves):
        total = rng.randint(1, top)
        v = rng.randint(200, 128000)
        a = rng.randint(20000, 6400000)
        nseg, _ = motion.plan(segs, 2048, total, v, a, F_HZ, TOL_TICKS)
        err = worst_error_us(segs, nseg, total, v, a)
        worst = max(worst, err)
    assert worst <= 1.0, worst


def test_moves_of_one_axis_reuse_its_ramp_and_stay_within_one_microsecond():
    """An axis keeps its acceleration: after its first move the ramp is kept, each move's
    accel phase a prefix of it and its decel the mirror, every step still within the bound."""
    rng = Prng(11)
    segs = array("l", [0] * (3 * 2048))
    prof = motion.Profile(motion.Ramp())
    a = 1280000
    worst = 0.0
    roots_after_first = reused = 0
    for _ in range(scaled(120, 20)):
        total = rng.randint(1, scaled(8000, 2000))
        v = rng.randint(2000, 80000)
        need = min(total, v * v // (2 * a) + 1)
        before, kept = motion.roots, prof.ramp.k
        nseg = motion.plan_into(prof, segs, 2048, total, v, a, F_HZ, TOL_TICKS)
        if need <= kept:
            reused += 1
            roots_after_first += motion.roots - before
        worst = max(worst, worst_error_us(segs, nseg, total, v, a))
        assert prof.duration == motion.duration_ticks(segs, nseg)
        assert abs(prof.duration / F_HZ - exact_s(total, total, v, a)) < 1e-6
    assert worst <= 1.0, worst
    assert reused > 10 and roots_after_first == 0  # the ramp kept from the moves before


def test_a_move_plans_by_whole_copies_what_a_plan_lays_item_by_item():
    """A Move's own buffer (array('i'), bound to its Profile) takes the ramp's prefix and
    the mirrored tail in whole copies, words past the plan left over; any other buffer
    item by item, here by a fresh Profile each time (nothing kept from a move before). Both
    give the same segments, for moves of every shape, lengths and speeds in any order (the
    kept tail re-mirrored or reused), on a ramp two Moves share."""
    rng = Prng(5)
    a = 1280000
    ramp = motion.Ramp()
    moves = [Move(512, ramp), Move(192, ramp), Move(60, ramp)]
    other = array("l", [0] * (3 * 512))
    copied = 0
    for _ in range(scaled(150, 30)):
        prof = motion.Profile(motion.Ramp())
        mv = moves[rng.randint(0, 1)]
        total = (rng.randint(2, 60), rng.randint(2, 9000), 4619, 4620)[rng.randint(0, 3)]
        v = (rng.randint(2000, 80000), 17832, 80000)[rng.randint(0, 2)]
        mv.plan(total, v, a, F_HZ, TOL_TICKS)
        n = motion.plan_into(prof, other, 512, total, v, a, F_HZ, TOL_TICKS)
        assert mv.nseg == n
        assert list(mv.segs[:3 * n]) == list(other[:3 * n]), (total, v)
        assert mv.duration_us == motion.muldiv(prof.duration, 1000000, F_HZ)
        copied += mv.prof.into is mv.segs and n > ramp.tail_n > 0
    assert copied > 20
    # A buffer too small for a whole copy of the ramp is laid item by item, the same again.
    small = moves[2]
    small.plan(3000, 40000, a, F_HZ, TOL_TICKS)
    n = motion.plan_into(motion.Profile(motion.Ramp()), other, 512, 3000, 40000, a, F_HZ, TOL_TICKS)
    assert n > 10
    assert list(small.segs[:3 * n]) == list(other[:3 * n])


def test_a_plan_depends_on_its_figures_not_on_the_moves_before():
    mine = array("l", [0] * 3000)
    fresh = motion.Profile()
    n = motion.plan_into(fresh, mine, 1000, 3706, 80000, 1280000, F_HZ, TOL_TICKS)
    want = list(mine[:3 * n])
    used = motion.Profile()
    for total, v in ((50, 9000), (9000, 80000), (3706, 20000), (700, 80000)):
        motion.plan_into(used, mine, 1000, total, v, 1280000, F_HZ, TOL_TICKS)
    n = motion.plan_into(used, mine, 1000, 3706, 80000, 1280000, F_HZ, TOL_TICKS)
    assert list(mine[:3 * n]) == want


def test_triangle_and_trapezoid_end_at_the_same_total_time():
    segs = array("l", [0] * 3000)
    for total, v, a in ((1000, 5000, 100000), (1000, 50000, 100000), (1, 100, 1000)):
        nseg, ticks = motion.plan(segs, 1000, total, v, a, F_HZ, TOL_TICKS)
        assert abs(ticks / F_HZ - exact_s(total, total, v, a)) < 1e-6
        assert motion.duration_ticks(segs, nseg) == ticks


def test_board_moves_fit_their_buffers():
    b = boards.by_name("pico")
    segs = array("l", [0] * (3 * 512))
    # The longest shot moves: a full-depth needle stroke and the largest dose at top speed.
    nseg, _ = motion.plan(segs, 512, b.carriage.travel_steps, b.carriage.max_speed_sps,
                          b.carriage.accel_sps2, F_HZ, b.step_tol_ticks)
    assert 0 < nseg < 256
    steps = scaled(89000, 9000)
    nseg, _ = motion.plan(segs, 512, steps, 71329, b.plunger.accel_sps2, F_HZ, b.step_tol_ticks)
    assert 0 < nseg < 512


def test_too_small_a_buffer_is_refused():
    segs = array("l", [0] * 30)
    e = raises(motion.PlanError, motion.plan, segs, 10, 20000, 60000, 100000, F_HZ, 125)
    assert "segments" in str(e)


def test_bad_figures_are_refused():
    segs = array("l", [0] * 30)
    raises(motion.PlanError, motion.plan, segs, 10, 100, 0, 1000, F_HZ, 125)
    raises(motion.PlanError, motion.plan, segs, 10, -1, 1000, 1000, F_HZ, 125)


def test_constant_move_is_one_segment():
    segs = array("l", [0, 0, 0])
    assert motion.constant(segs, 500, 16000, F_HZ) == 1
    times = list(motion.expand(segs, 1))
    assert len(times) == 500
    assert times[1] - times[0] == F_HZ // 16000
    assert motion.constant(segs, 0, 16000, F_HZ) == 0


def test_move_time_matches_the_profile():
    # 3200 steps, 32000 steps/s, 320000 steps/s²: N/v + v/a = 0.1 s + 0.1 s.
    assert motion.move_time_us(3200, 32000, 320000) == 200000
    assert motion.move_time_us(0, 32000, 320000) == 0


def test_a_move_planned_again_with_the_same_figures_is_kept():
    from firmware.axis import Move

    mv = Move(256)
    mv.plan(3000, 80000, 1280000, F_HZ, TOL_TICKS)
    first = list(mv.segs[:3 * mv.nseg])
    before = motion.plans
    mv.plan(3000, 80000, 1280000, F_HZ, TOL_TICKS)  # the zone's next shot
    assert motion.plans == before and list(mv.segs[:3 * mv.nseg]) == first
    mv.plan(3001, 80000, 1280000, F_HZ, TOL_TICKS)
    assert motion.plans == before + 1
    mv.constant(10, 1000, F_HZ)  # the buffer now holds another move: planned afresh
    mv.plan(3001, 80000, 1280000, F_HZ, TOL_TICKS)
    assert motion.plans == before + 2 and mv.steps == 3001 and mv.nseg > 1


def test_a_cruise_is_laid_in_runs_without_fitting():
    """The cruise's interval F/v is not whole: runs at its floor and ceiling swing across
    the tolerance, one exact step time each, and every step stays within the bound."""
    segs = array("l", [0] * 3000)
    prof = motion.Profile()
    motion.plan_into(prof, segs, 1000, 12001, 128000, 6400000, F_HZ, TOL_TICKS)  # ramp fitted
    for total, v in ((12000, 128000), (9000, 77777), (30000, 128000)):
        before = motion.evals
        nseg = motion.plan_into(prof, segs, 1000, total, v, 6400000, F_HZ, TOL_TICKS)
        cruise = [segs[3 * j:3 * j + 3] for j in range(nseg) if segs[3 * j + 2] == 0]
        assert motion.evals - before <= len(cruise) + 1
        assert len(cruise) < 2 + total // 150  # runs of ~2 tol / frac(F/v) steps
        assert worst_error_us(segs, nseg, total, v, 6400000) <= 1.0


def test_a_shot_plans_with_the_heap_locked_and_a_long_move_with_it_free():
    # prepare() locks the heap (firmware/shotplan.py): a large dose at a slow flow is no
    # small-int move (motion.small), and on a 32-bit port its wide ints need the heap, so its
    # plan frees it for itself; every shot-sized move plans with it locked.
    from rig import Rig, point_zone, protocol

    from firmware import compat

    depth = [0]
    calls = []  # (heap lock depth, whether the move is small) of each plan

    def lock():
        depth[0] += 1

    def unlock():
        depth[0] -= 1

    plan_into = motion.plan_into

    def probed(prof, segs, capacity, n_steps, v_sps, a_sps2, clock_hz, tol_ticks):
        calls.append((depth[0], motion.small(n_steps, v_sps, a_sps2)))
        return plan_into(prof, segs, capacity, n_steps, v_sps, a_sps2, clock_hz, tol_ticks)

    zones = [point_zone(name="small", dose_ul=10, pace_ms=3000),
             point_zone(name="large", dose_ul=200, pace_ms=20000)]
    zones[1]["flow_ul_s"] = 20  # 10 s of dose
    rig = Rig(protocol(zones, syringe_ml=1))
    rig.arm()
    rig.run_for(20000)
    saved = compat.heap_lock, compat.heap_unlock
    compat.heap_lock, compat.heap_unlock = lock, unlock
    motion.plan_into = probed
    try:
        s = rig.app.session
        for zone in (1, 0, 1):
            s.zone_i = zone
            rig.app.machine.prepare()
    finally:
        compat.heap_lock, compat.heap_unlock = saved
        motion.plan_into = plan_into
    assert depth[0] == 0 and compat.held == 0
    assert (0, False) in calls and (1, True) in calls, calls
    assert all(d == (0 if small is False else 1) for d, small in calls), calls
