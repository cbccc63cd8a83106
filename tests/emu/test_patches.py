"""Each rp2040js patch of the harness (emu/rp2040_bus.mjs) is needed: left out, a result the
step HAL relies on comes out wrong. Each test runs the same thing with and without one patch.
"""

import pytest

from emu import moves
from emu.harness import PATCHES, EmuHang
from emu.pico import PicoSteps
from firmware import motion

PIO0 = 0x50200000
PIO0_FLEVEL = PIO0 + 0x00C
PIO0_TXF0 = PIO0 + 0x010


def without(name):
    return tuple(p for p in PATCHES if p != name)


def short_move(pico):
    b = pico.board
    return moves.plan_top(b, b.carriage, 60)


def run_short_move(patches):
    with PicoSteps(patches=patches) as pico:
        segs, nseg = short_move(pico)
        since = pico.em.cycle
        pico.move(1, 1, segs, nseg)
        pico.run(motion.duration_ticks(segs, nseg) + 100000)
        return moves.check(pico, 1, since, segs, nseg, 1)


def test_clocked_pio_is_what_puts_steps_at_their_planned_cycles():
    good = run_short_move(PATCHES)
    assert good["interval_errors"] == [] and good["steps_on_pin"] == 60
    # rp2040js's own PIO runs in batches between host timer turns, not with the system clock.
    bad = run_short_move(without("clocked_pio"))
    assert bad["steps_on_pin"] < 60 or bad["interval_errors"]


def test_clocked_pio_honours_a_fractional_clock_divider():
    # A 50 MHz step clock from 125 MHz is CLKDIV 2.5: a state machine advances on the system
    # cycles ceil(2.5 k), so n of its cycles span floor(2.5 n) or ceil(2.5 n) system cycles.
    with PicoSteps(step_clock_hz=50000000) as pico:
        assert pico.em.read(PIO0 + 0xC8 + 0x18) == (2 << 16) | (128 << 8)  # SM1_CLKDIV
        segs, nseg = short_move(pico)
        since = pico.em.cycle
        pico.move(1, 1, segs, nseg)
        pico.run(3 * motion.duration_ticks(segs, nseg))
        res = moves.check(pico, 1, since, segs, nseg, 1)
    rises, want = res["rises"], res["planned"]
    assert len(rises) == len(want) == 60
    for (r0, r1), (w0, w1) in zip(zip(rises, rises[1:]), zip(want, want[1:])):
        assert (r1 - r0) in ((5 * (w1 - w0)) // 2, -(-5 * (w1 - w0) // 2))
    assert abs((rises[-1] - rises[0]) - 5 * (want[-1] - want[0]) / 2) <= 1


def pulses_after_disable(patches):
    with PicoSteps(patches=patches) as pico:
        b = pico.board
        segs, nseg = moves.plan_top(b, b.carriage, 3000)
        pico.move(1, 1, segs, nseg)
        pico.run(1000000)
        pico.axes[1].sm.active(0)  # rp2.StateMachine.active(0): CTRL.SM_ENABLE cleared
        off = pico.em.cycle
        pico.run(300000)
        return [r for r, _ in pico.pulses(1) if r > off]


def test_sm_enable_is_what_stops_a_disabled_state_machine():
    assert pulses_after_disable(PATCHES) == []
    assert len(pulses_after_disable(without("sm_enable"))) > 20


def test_dma_readback_is_what_lets_the_hal_abort_a_channel():
    # StepChannel.start() aborts the counter channel and waits for CHAN_ABORT to read 0.
    with PicoSteps(patches=without("dma_readback")) as pico:
        segs, nseg = short_move(pico)
        with pytest.raises(EmuHang, match="0x50000444"):
            pico.move(1, 1, segs, nseg)
    assert run_short_move(PATCHES)["steps_counted"] == 60


def steps_from_words_left_queued(patches):
    """Queue four words with the machine stopped, halt it as stop() does, and count steps."""
    with PicoSteps(patches=patches) as pico:
        ch = pico.axes[0]
        ch.sm.active(0)
        for _ in range(4):
            pico.em.write(PIO0_TXF0, (1000 << 7) | 9)  # 10 steps of 1 023 cycles each
        queued = pico.em.read(PIO0_FLEVEL) & 0xF
        pico.steps._pio_halt(ch.pio, ch.sm_index, ch.start_pc)  # flush by toggling FJOIN_RX
        left = pico.em.read(PIO0_FLEVEL) & 0xF
        pico.run(200000)
        return queued, left, len(pico.pulses(0))


def test_fjoin_flush_is_what_drops_the_words_queued_before_a_stop():
    assert steps_from_words_left_queued(PATCHES) == (4, 0, 0)
    queued, left, steps = steps_from_words_left_queued(without("fjoin_flush"))
    assert queued == 4 and left > 0 and steps == 40
