# Under MicroPython (bench/compute.py runs it): the planner's work and time per move.
import gc
import sys
import time
from array import array

from firmware import compat, motion
from firmware.board import by_name

board = by_name(sys.argv[1] if len(sys.argv) > 1 else "pico")
# Best of REPEAT: 5 on a shared host; 1 on the emulated chip, whose time is its own.
REPEAT = int(sys.argv[2]) if len(sys.argv) > 2 else 5
CAP = 400
segs = array("i", [0] * (motion.SEG_WORDS * CAP))
gc.disable()
for name in ("plunger", "carriage"):
    ax = getattr(board, name)
    for n in (20, 60, 150, 400, 800, 1600, 3200, 6000, 12000):
        figs = (ax.max_speed_sps, ax.accel_sps2, board.step_clock_hz, board.step_tol_ticks)
        # cold: the axis's first plan, its ramp from rest fitted (the ramp constant, made
        # once per axis with wide ints, is made before: not timed); warm: the next plan of
        # another length, the ramp kept. Timed as a shot's prepare() plans: into a Move's
        # own buffer (bound: whole copies), with the heap locked (no frame on the heap).
        for kind in ("cold", "warm"):
            best = 1 << 30
            for _ in range(REPEAT):
                prof = motion.Profile(motion.Ramp())
                prof.bind(segs)
                motion.plan_into(prof, segs, CAP, 1, *figs)
                if kind == "warm":
                    motion.plan_into(prof, segs, CAP, n + 1, *figs)
                e0, r0, w0 = motion.evals, motion.roots, motion.written
                compat.lock()  # as prepare() plans
                t0 = time.ticks_us()
                motion.plan_into(prof, segs, CAP, n, figs[0], figs[1], figs[2], figs[3])
                us = time.ticks_diff(time.ticks_us(), t0)
                compat.unlock()
                best = min(best, us)
                gc.collect()
            print("plan", name, n, kind, motion.evals - e0, motion.roots - r0,
                  motion.written - w0, best)
