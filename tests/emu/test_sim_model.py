"""The simulator's step executor (sim/stepper.py) against the emulated PIO: same step times.

Both run the same planned segments. The emulated pins start a few cycles after move()
(register writes, the first DMA transfer); from there every step lands where the simulator's
model puts it, in its exact (one event per step) and fast (one per segment) modes alike.
"""

import pytest
import simpy

from emu import moves
from emu.pico import PicoSteps
from sim.mcu import Clock, GcPauses
from sim.params import Streams, check
from sim.stepper import Executor


class Steps:
    """Where the executor hands its steps (the plant is not what is compared here)."""

    def step(self, t, n, d):
        pass

    def ramp(self, t0, t1, n, d):
        pass


def sim_step_counts(board, segs, nseg, exact, probes):
    """For each probe time t (ticks from the move's start), the executor's step count just
    before t and at t. A queue deeper than the move keeps GC pauses and refills out of it."""
    env = simpy.Environment()
    p = check({"fifo_segments": nseg + 1})
    clock = Clock(env, board, p)
    ex = Executor(env, clock, GcPauses(clock, p, Streams(1)("gc")), p, exact, Steps())
    ex.move(1, segs, nseg)
    # Exact mode counts a step once its event has run, and env.run(until=t) stops before the
    # events at t; fast mode counts every step whose time is at or before now.
    lo, hi = (0, 1) if exact else (-1, 0)
    out = []
    for t in probes:
        env.run(until=t + lo)
        before = ex.steps_done()
        env.run(until=t + hi)
        out.append((before, ex.steps_done()))
    return out


@pytest.fixture(scope="module")
def emulated():
    """Plunger and carriage moves (ramp, cruise, ramp): step edges, cycles from move()."""
    with PicoSteps() as pico:
        b = pico.board
        runs = []
        for axis, n in ((0, 3000), (1, 2500)):
            ab = pico.axis_board(axis)
            segs, nseg = moves.plan(b, ab, n, ab.max_speed_sps, ab.accel_sps2)
            since = pico.em.cycle
            pico.move(axis, 1, segs, nseg)
            pico.run_until_idle()
            rises = moves.check(pico, axis, since, segs, nseg, 1)["rises"]
            runs.append((segs, nseg, [r - since for r in rises]))
        yield b, runs


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "fast"])
def test_the_simulated_executor_steps_when_the_emulated_pio_does(emulated, exact):
    board, runs = emulated
    for segs, nseg, rises in runs:
        offset = rises[0] - next(iter(moves.motion.expand(segs, nseg)))
        assert 0 < offset < board.step_clock_hz // 1000000  # under 1 µs of start-up
        probes = [r - offset for r in rises]
        counts = sim_step_counts(board, segs, nseg, exact, probes)
        # Step k (1-based) of the simulator falls exactly at the k-th emulated edge.
        assert counts == [(k, k + 1) for k in range(len(rises))]
