"""The cost model behind the simulator's compute-time charge (sim/mcu.py), re-measured.

    python -m bench.compute [--board pico]

Plans moves of 20 to 12 000 steps on both axes under the venv's MicroPython (unix port,
best of 5 each), each as an axis's first plan (its ramp fitted) and as a later one (the
ramp kept), fits the time to the planner's work counters (ramp roots, segments written;
firmware/motion.py) by least squares, takes the poll times from bench.chip, and
prints them beside the figures sim/mcu.py charges (unix-port µs = chip cycles / factor /
125), with the ratio, and what each measured move costs on the modelled RP2040.
"""

import argparse
import os
import subprocess
import sys

import numpy as np

from bench import chip
from firmware import motion
from firmware.board import by_name
from sim import mcu

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def plans(board):
    exe = os.path.join(os.path.dirname(sys.executable), "micropython")
    env = dict(os.environ, MICROPYPATH=ROOT)
    out = subprocess.run([exe, "-X", "heapsize=64M", os.path.join(ROOT, "bench", "compute_mp.py"),
                          board], capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        sys.exit("bench.compute: the MicroPython run failed:\n" + out.stdout + out.stderr)
    rows = []
    for line in out.stdout.splitlines():
        f = line.split()
        if f and f[0] == "plan":  # axis, steps, cold|warm, evals, roots, segments, µs
            rows.append((f[1], int(f[2]), f[3], int(f[4]), int(f[5]), int(f[6]), int(f[7])))
    return rows


def warm_ups(board_name):
    """Each axis's ramp fitted at start-up (motion.warm, as ShotMachine does): the work, by
    the planner's counters (the same code and counts as on MicroPython)."""
    b = by_name(board_name)
    rows = []
    for name, ax in (("plunger", b.plunger), ("carriage", b.carriage)):
        evals, roots = motion.evals, motion.roots
        steps = motion.warm(motion.Profile(), ax.max_speed_sps, ax.accel_sps2, b.step_clock_hz,
                            b.step_tol_ticks)
        rows.append((name, steps, motion.evals - evals, motion.roots - roots))
    return rows


def model_us(cycles):
    """A sim/mcu.py figure in cycles at 125 MHz as unix-port µs."""
    return cycles / mcu.CHIP_FACTOR / (mcu.CPU_HZ // 1000000)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.compute")
    ap.add_argument("--board", default="pico")
    args = ap.parse_args(argv)
    rows = plans(args.board)
    # The cruise is covered in runs (one step time a run), too few to fit beside the roots
    # and segments: their time is taken at the model's figure and the rest fitted.
    cruise = np.array([r[3] - r[4] for r in rows], float)
    work = np.array([[r[4], r[5]] for r in rows], float)
    us = np.array([r[6] for r in rows], float) - cruise * model_us(mcu.EVAL_CYCLES)
    (root_us, seg_us), *_ = np.linalg.lstsq(work, us, rcond=None)
    eval_us = float("nan")
    figs = chip.measure(args.board)
    print("unix port (x86-64) on this machine, load %.1f; chip factor %d (RP2040 / unix port)"
          % (os.getloadavg()[0], mcu.CHIP_FACTOR))
    print("%-34s %10s %10s %7s" % ("figure", "measured", "sim model", "ratio"))
    print("(cruise step times: %d in all, charged at the model's figure, not fitted)"
          % int(cruise.sum()))
    for label, got, cyc in (
        ("ramp step time (root), µs", root_us, mcu.ROOT_CYCLES),
        ("cruise step time, µs", eval_us, mcu.EVAL_CYCLES),
        ("segment written, µs", seg_us, mcu.SEG_CYCLES),
        ("poll, armed and idle, µs", figs["us_poll_idle"], mcu.POLL_CYCLES),
        ("poll, mid-dose, µs", figs["us_poll_dose"], mcu.POLL_CYCLES),
    ):
        mod = model_us(cyc)
        print("%-34s %10.2f %10.2f %7.2f" % (label, got, mod, got / mod))
    print()
    print("%-9s %6s %5s %6s %6s %5s %10s %10s %14s" % (
        "axis", "steps", "plan", "evals", "roots", "segs", "unix µs", "model µs",
        "RP2040 model ms"))
    for name, n, kind, evals, roots, segs, t in rows:
        cyc = (mcu.ROOT_CYCLES * roots + mcu.EVAL_CYCLES * (evals - roots)
               + mcu.SEG_CYCLES * segs)
        print("%-9s %6d %5s %6d %6d %5d %10d %10.0f %14.1f" % (
            name, n, kind, evals, roots, segs, t, model_us(cyc), cyc * 1000.0 / mcu.CPU_HZ))
    print()
    print("start-up: each axis's ramp fitted to its top speed (motion.warm), once at power-up")
    print("%-9s %6s %6s %6s %14s" % ("axis", "steps", "evals", "roots", "RP2040 model ms"))
    for name, steps, evals, roots in warm_ups(args.board):
        cyc = mcu.ROOT_CYCLES * roots + mcu.EVAL_CYCLES * (evals - roots)
        print("%-9s %6d %6d %6d %14.1f" % (name, steps, evals, roots, cyc * 1000.0 / mcu.CPU_HZ))


if __name__ == "__main__":
    main()
