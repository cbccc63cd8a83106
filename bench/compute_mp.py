# Under MicroPython (bench/compute.py runs it): the planner's work and time per move.
import gc
import sys
import time
from array import array

from firmware import motion
from firmware.board import by_name

board = by_name(sys.argv[1] if len(sys.argv) > 1 else "pico")
CAP = 400
segs = array("i", [0] * (motion.SEG_WORDS * CAP))
gc.disable()
for name in ("plunger", "carriage"):
    ax = getattr(board, name)
    for n in (20, 60, 150, 400, 800, 1600, 3200, 6000, 12000):
        prof = motion.Profile()
        plan = (prof, segs, CAP, n, ax.max_speed_sps, ax.accel_sps2, board.step_clock_hz,
                board.step_tol_ticks)
        motion.plan_into(*plan)  # the ramp constant is made once per axis: not timed
        best = 1 << 30
        for _ in range(5):
            e0, r0 = motion.evals, motion.roots
            t0 = time.ticks_us()
            motion.plan_into(*plan)
            us = time.ticks_diff(time.ticks_us(), t0)
            best = min(best, us)
            gc.collect()
        print("plan", name, n, motion.evals - e0, motion.roots - r0, best)
