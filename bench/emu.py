"""The rp2 step HAL on the emulated RP2040: steps checked to the cycle, and emulator speed.

    python -m bench.emu [--seed N] [--rounds N]

Each round moves both pico axes at once, with random step counts, speeds and accelerations
over the board's range (the first round at the top speed and acceleration), and compares
every step edge on the emulated pins with the planner's step times.
"""

import argparse
import random
import time

from emu import moves
from emu.pico import PicoSteps


def round_moves(rng, board, first):
    out = []
    for ab, max_steps in ((board.plunger, 3000), (board.carriage, 3000)):
        if first:
            out.append((max_steps, ab.max_speed_sps, ab.accel_sps2, 1))
            continue
        v = rng.randint(ab.max_speed_sps // 8, ab.max_speed_sps)
        a = rng.randint(ab.accel_sps2 // 4, ab.accel_sps2)
        out.append((rng.randint(20, max_steps), v, a, rng.choice((1, -1))))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=8)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    with PicoSteps() as pico:
        b = pico.board
        t_setup = time.perf_counter() - t0
        c0 = pico.em.cycle
        steps = intervals = worst = bad = 0
        t_run = t_check = 0.0
        for r in range(args.rounds):
            since = pico.em.cycle
            plans = []
            for axis, (n, v, a, direction) in enumerate(round_moves(rng, b, r == 0)):
                segs, nseg = moves.plan(b, pico.axis_board(axis), n, v, a)
                pico.move(axis, direction, segs, nseg)
                plans.append((segs, nseg, direction))
            t = time.perf_counter()
            pico.run_until_idle()
            t_run += time.perf_counter() - t
            t = time.perf_counter()
            for axis, (segs, nseg, direction) in enumerate(plans):
                res = moves.check(pico, axis, since, segs, nseg, direction)
                steps += res["steps_on_pin"]
                intervals += res["intervals_checked"]
                worst = max(worst, res["max_error_cycles"])
                bad += (res["steps_on_pin"] != res["steps_planned"]) + len(res["interval_errors"])
            t_check += time.perf_counter() - t
        cycles = pico.em.cycle - c0
    wall = time.perf_counter() - t0
    hz = b.step_clock_hz
    print("rp2 step HAL on emulated RP2040 (rp2040js), seed %d, %d rounds of two-axis moves"
          % (args.seed, args.rounds))
    print("steps checked          %9d  (%d intervals)" % (steps, intervals))
    print("max interval error     %9d  cycles  (%d wrong counts or intervals)" % (worst, bad))
    print("emulated               %9.3f  s  (%d cycles at %d MHz)"
          % (cycles / hz, cycles, hz // 1000000))
    print("emulated cycles/wall s %9.2f  M  (%.3f x real time)"
          % (cycles / t_run / 1e6, cycles / hz / t_run))
    print("wall time              %9.2f  s  (setup %.2f, running %.2f, checking %.2f)"
          % (wall, t_setup, t_run, t_check))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
