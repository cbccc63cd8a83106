"""The rp2 HAL's step generation on the emulated RP2040: pins checked to the cycle.

The HAL's StepChannel (its PIO program, DMA ring and refill IRQ, step counter, stop) runs
unmodified against rp2040js's PIO and DMA; moves come from the firmware's planner with the
pico board's figures. Every step interval on the pin must equal the planned one exactly.
"""

import random

from emu import moves
from emu.pico import PicoSteps


def random_move(rng, axis_board, max_steps):
    v = rng.randint(axis_board.max_speed_sps // 4, axis_board.max_speed_sps)
    a = rng.randint(axis_board.accel_sps2 // 2, axis_board.accel_sps2)
    return rng.randint(20, max_steps), v, a, rng.choice((1, -1))


def assert_exact(res):
    assert res["steps_on_pin"] == res["steps_planned"] == res["steps_counted"]
    assert res["interval_errors"] == []
    assert res["min_high_cycles"] >= res["pulse_min_cycles"]
    assert res["min_low_cycles"] >= res["pulse_min_cycles"]
    assert res["dir_ok"]
    assert res["dir_lead_cycles"] >= res["dir_setup_cycles"]


def test_random_moves_on_both_axes_step_at_the_planned_cycles():
    rng = random.Random(14)
    with PicoSteps() as pico:
        b = pico.board
        # First round at the board's top speed and acceleration, then random ones below.
        rounds = [[(1500, b.plunger.max_speed_sps, b.plunger.accel_sps2, 1),
                   (1800, b.carriage.max_speed_sps, b.carriage.accel_sps2, -1)]]
        rounds += [[random_move(rng, b.plunger, 1200), random_move(rng, b.carriage, 1800)]
                   for _ in range(2)]
        checked = 0
        for moves_now in rounds:
            since = pico.em.cycle
            plans = []
            for axis, (n, v, a, direction) in enumerate(moves_now):
                segs, nseg = moves.plan(b, pico.axis_board(axis), n, v, a)
                pico.move(axis, direction, segs, nseg)
                plans.append((segs, nseg, direction))
            pico.run_until_idle()
            for axis, (segs, nseg, direction) in enumerate(plans):
                res = moves.check(pico, axis, since, segs, nseg, direction)
                assert_exact(res)
                checked += res["intervals_checked"]
        assert checked == sum(m[0] - 1 for r in rounds for m in r)


def test_the_ring_refills_many_times_in_one_move():
    # A long ramp is one word per step: 2 600 words pass through the 2 x 512-word ring.
    with PicoSteps() as pico:
        b = pico.board
        segs, nseg = moves.plan_top(b, b.plunger, 2600)
        words = sum(segs[3 * i + 1] if segs[3 * i + 2] else -(-segs[3 * i + 1] // 128)
                    for i in range(nseg))
        assert words > 4 * pico.steps.HALF_WORDS
        since = pico.em.cycle
        pico.move(0, 1, segs, nseg)
        pico.run_until_idle()
        assert_exact(moves.check(pico, 0, since, segs, nseg, 1))


def stop_mid_move(pico, rng, segs, nseg):
    """Start the move, stop it at a random instant; returns (since, stop cycle, counter then)."""
    since = pico.em.cycle
    pico.move(1, 1, segs, nseg)
    pico.run(rng.randint(300000, 2500000))
    pico.stop(1)
    stopped_at, counted = pico.em.cycle, pico.steps_done(1)
    pico.run(200000)  # long enough for anything still queued to come out
    return since, stopped_at, counted


def test_a_stop_mid_move_leaves_the_pin_count_and_the_counter_equal():
    rng = random.Random(3)
    with PicoSteps() as pico:
        b = pico.board
        segs, nseg = moves.plan_top(b, b.carriage, 3000)
        for _ in range(3):
            since, stopped_at, _ = stop_mid_move(pico, rng, segs, nseg)
            res = moves.check(pico, 1, since, segs, nseg, 1)
            before_stop = sum(1 for r in res["rises"] if r <= stopped_at)
            assert 0 < res["steps_on_pin"] < res["steps_planned"]
            assert res["steps_on_pin"] == res["steps_counted"]
            assert all(f is not None for _, f in pico.pulses(1))  # the pin is left low
            # The steps made before the stop were the plan's first ones, to the cycle (for
            # those after it, see the next test).
            assert [e for e in res["interval_errors"] if e[0] < before_stop] == []
            assert not pico.moving(1)
        # A move after the stops runs whole: nothing of the stopped moves is left queued.
        since = pico.em.cycle
        short, nshort = moves.plan_top(b, b.carriage, 400)
        pico.move(1, -1, short, nshort)
        pico.run_until_idle()
        assert_exact(moves.check(pico, 1, since, short, nshort, -1))


def test_no_step_comes_after_stop_returns():
    rng = random.Random(3)
    with PicoSteps() as pico:
        b = pico.board
        segs, nseg = moves.plan_top(b, b.carriage, 3000)
        since, stopped_at, counted = stop_mid_move(pico, rng, segs, nseg)
        rises = [r for r, _ in pico.pulses(1) if r > since]
        assert [r for r in rises if r > stopped_at] == []
        assert counted == len(rises)
