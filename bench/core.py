"""Core figures: step-time error of the planner, planning cost, MicroPython heap.

    python -m bench.core [--moves N]

Prints the worst step-time error over N random moves (every step checked against the exact
profile) with the board's bound, segments per move, planning time per shot-sized move under
CPython and under the real MicroPython interpreter (and their ratio), and the MicroPython
heap in use after importing the whole firmware core (gc.mem_alloc()).
"""

import argparse
import os
import subprocess
import sys
import time
from array import array

from firmware import board as boards
from firmware import motion

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from test_motion_accuracy import worst_over_random_moves  # noqa: E402

CORE_MODULES = (
    "firmware.compat", "firmware.ticks", "firmware.wire.faults", "firmware.units", "firmware.board",
    "firmware.motion", "firmware.limits", "firmware.hal", "firmware.inputs", "firmware.axis",
    "firmware.dosing", "firmware.session", "firmware.shotlog", "firmware.shot", "firmware.app",
)

HEAP_SCRIPT = """
import gc
gc.collect()
base = gc.mem_alloc()
for name in %r:
    __import__(name)
gc.collect()
print(base, gc.mem_alloc(), gc.mem_free())
"""

PLAN_SCRIPT = """
import time
from array import array
from firmware import motion
segs = array("l", [0] * 1536)
t0 = time.ticks_us()
for _ in range(%d):
    motion.plan(segs, 512, 3560, 71329, 1280000, 125000000, 125)
print(time.ticks_diff(time.ticks_us(), t0) / %d)
"""


def micropython(script):
    exe = os.path.join(os.path.dirname(sys.executable), "micropython")
    env = dict(os.environ, MICROPYPATH=ROOT)
    out = subprocess.run([exe, "-c", script], capture_output=True, text=True, env=env, check=True)
    return out.stdout.split()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.core")
    ap.add_argument("--moves", type=int, default=5000)
    args = ap.parse_args(argv)
    board = boards.by_name("pico")

    t0 = time.perf_counter()
    worst, steps = worst_over_random_moves(board, args.moves, seed=11)
    wall = time.perf_counter() - t0
    bound = board.step_tol_ticks * 1e6 / board.step_clock_hz
    print("step timing: %d random moves, %d steps checked (%.1f s)" % (args.moves, steps, wall))
    print("  worst step-time error  %.3f us   bound %.3f us   ratio %.2f"
          % (worst, bound, worst / bound))

    segs = array("l", [0] * 1536)
    runs = 50
    t0 = time.perf_counter()
    for _ in range(runs):
        nseg, _ = motion.plan(segs, 512, 3560, 71329, 1280000, 125000000, 125)
    cpy_us = (time.perf_counter() - t0) / runs * 1e6
    mpy_us = float(micropython(PLAN_SCRIPT % (runs, runs))[0])
    print("planning a 20 uL dose in a 1 mL syringe (3560 steps, %d segments):" % nseg)
    print("  CPython %.0f us   MicroPython (unix) %.0f us   ratio %.1fx"
          % (cpy_us, mpy_us, mpy_us / cpy_us))

    base, used, free = (int(x) for x in micropython(HEAP_SCRIPT % (CORE_MODULES,)))
    print("MicroPython heap after importing the core (%d modules):" % len(CORE_MODULES))
    print("  gc.mem_alloc() %d bytes (%d before the imports, %d bytes for the core); free %d"
          % (used, base, used - base, free))


if __name__ == "__main__":
    main()
