"""A late ring refill on the emulated RP2040: the PIO stalls, it never steps at a wrong pace.

The refill runs in the DMA-done IRQ. Holding the IRQ off (a long critical section) past the
time the other ring half takes lets the PIO's TX FIFO run dry mid-move.
"""

from emu import moves
from emu.pico import PicoSteps

HELD_UNTIL = 6000000  # cycles: half A ends near 3.5 M, half B near 5.0 M (plunger ramp)


def test_a_late_refill_is_one_late_step_and_no_wrong_interval():
    with PicoSteps() as pico:
        b = pico.board
        half = pico.steps.HALF_WORDS
        segs, nseg = moves.plan_top(b, b.plunger, 2600)
        since = pico.em.cycle
        pico.em.mask_irqs_until(since + HELD_UNTIL)
        pico.move(0, 1, segs, nseg)
        pico.run(HELD_UNTIL - 400000)
        # Starved: the move is not over, yet the counter stands still across a planned step.
        done = pico.steps_done(0)
        pico.run(200000)
        assert pico.moving(0) and pico.steps_done(0) == done == 2 * half
        pico.run_until_idle()
        res = moves.check(pico, 0, since, segs, nseg, 1)
        assert res["steps_on_pin"] == res["steps_planned"] == res["steps_counted"]
        # One late step, the first of the late half; every other interval as planned.
        [(index, late)] = res["interval_errors"]
        assert index == 2 * half and late > 0
        # It came as soon as the refill ran: its planned interval after the hold ended, plus
        # the handler's dozen register accesses (4 cycles each here).
        planned = res["planned"][index] - res["planned"][index - 1]
        assert planned < res["rises"][index] - (since + HELD_UNTIL) <= planned + 100


def test_without_the_hold_the_same_move_is_exact():
    # The control: the same move with the IRQ served at once has no late step.
    with PicoSteps() as pico:
        b = pico.board
        segs, nseg = moves.plan_top(b, b.plunger, 2600)
        since = pico.em.cycle
        pico.move(0, 1, segs, nseg)
        pico.run(HELD_UNTIL)
        res = moves.check(pico, 0, since, segs, nseg, 1)
        assert res["interval_errors"] == [] and res["steps_on_pin"] > 2 * pico.steps.HALF_WORDS
