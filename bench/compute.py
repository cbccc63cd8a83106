"""The cost model behind the simulator's compute-time charge (sim/mcu.py), re-measured.

    python -m bench.compute [--board pico] [--chip]

Plans moves of 20 to 12 000 steps on both axes under the venv's MicroPython (unix port,
best of 5 each), each as an axis's first plan (its ramp fitted) and as a later one (the
ramp kept), fits the time to the planner's work counters (ramp roots, segments written;
firmware/motion.py) by least squares, takes the poll times from bench.chip, and
prints them beside the figures sim/mcu.py charges (unix-port µs = chip cycles / factor /
125), with the ratio, and what each measured move costs on the modelled RP2040.

--chip plans the same moves on the MicroPython rp2 port on the emulated RP2040 (emu/chip.py;
MESOGUN_RP2_IMAGE and MESOGUN_RP2_BOOTROM name the image and bootrom) and fits the RP2040's
own cycles per root and per segment, printed beside sim/mcu.py's; its polls are
`python -m bench.rp2`'s.
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


def _parse(text):
    rows = []
    for line in text.splitlines():
        f = line.split()
        if f and f[0] == "plan":  # axis, steps, cold|warm, evals, roots, segments, µs
            rows.append((f[1], int(f[2]), f[3], int(f[4]), int(f[5]), int(f[6]), int(f[7])))
    return rows


def plans(board):
    exe = os.path.join(os.path.dirname(sys.executable), "micropython")
    env = dict(os.environ, MICROPYPATH=ROOT)
    out = subprocess.run([exe, "-X", "heapsize=64M", os.path.join(ROOT, "bench", "compute_mp.py"),
                          board], capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        sys.exit("bench.compute: the MicroPython run failed:\n" + out.stdout + out.stderr)
    return _parse(out.stdout)


def chip_plans(board):
    """The same plans on the rp2 port on the emulated RP2040: (rows in chip µs, stats)."""
    import tempfile

    from emu.chip import Chip, ChipError, chip_files, images, lfs_image

    found = images()
    if found is None:
        sys.exit("bench.compute: --chip needs MESOGUN_RP2_IMAGE and MESOGUN_RP2_BOOTROM "
                 "(docs/DEVICE.md, \"The rp2 port on the emulated chip\")")
    with tempfile.TemporaryDirectory() as tmp:
        fs = lfs_image(chip_files(board, extra=["bench/compute_mp.py"]),
                       os.path.join(tmp, "fs.img"))
        try:
            with Chip(*found, fs=fs) as c:
                out = c.exec("import sys\nsys.path.append('/t')\n"
                             "sys.argv[:] = ['compute_mp', %r, '1']\nimport compute_mp" % board)
        except ChipError as e:
            sys.exit("bench.compute: %s" % e)
    return _parse(out), c.stats


def fit(rows, eval_us):
    """(µs per root, µs per segment) by least squares, cruise step times at eval_us."""
    cruise = np.array([r[3] - r[4] for r in rows], float)
    work = np.array([[r[4], r[5]] for r in rows], float)
    us = np.array([r[6] for r in rows], float) - cruise * eval_us
    (root_us, seg_us), *_ = np.linalg.lstsq(work, us, rcond=None)
    return float(root_us), float(seg_us), int(cruise.sum())


def chip_main(board):
    rows, stats = chip_plans(board)
    mhz = mcu.CPU_HZ // 1000000
    root_us, seg_us, cruise = fit(rows, mcu.EVAL_CYCLES / mhz)
    print("MicroPython rp2 port on the emulated RP2040 (rp2040js, 125 MHz), board %s; %.1f s "
          "of chip time in %.0f s of wall time" % (board, stats["emulated_s"], stats["wall_s"]))
    print("(cruise step times: %d in all, charged at the model's figure, not fitted)" % cruise)
    # The model is these figures on a real chip: the emulated cycles times the pystone ratio.
    print("%-26s %10s %12s %10s %7s" % ("figure, RP2040 cycles", "emulated", "real (x%.2f)"
                                        % (mcu.EMU_TO_CHIP_NUM / mcu.EMU_TO_CHIP_DEN),
                                        "sim model", "ratio"))
    for label, got_us, cyc in (("ramp step time (root)", root_us, mcu.ROOT_CYCLES),
                               ("segment written", seg_us, mcu.SEG_CYCLES)):
        real = mcu.chip_cycles(got_us * mhz)
        print("%-26s %10.0f %12.0f %10d %7.2f" % (label, got_us * mhz, real, cyc, real / cyc))
    print()
    print("%-9s %6s %5s %6s %6s %5s %12s %12s" % ("axis", "steps", "plan", "evals", "roots",
                                                  "segs", "chip ms", "model ms"))
    for name, n, kind, evals, roots, segs, t in rows:
        cyc = (mcu.ROOT_CYCLES * roots + mcu.EVAL_CYCLES * (evals - roots)
               + mcu.SEG_CYCLES * segs)
        print("%-9s %6d %5s %6d %6d %5d %12.2f %12.2f" % (
            name, n, kind, evals, roots, segs, t / 1000.0, cyc * 1000.0 / mcu.CPU_HZ))


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
    """A sim/mcu.py figure in cycles as µs on the 125 MHz RP2040."""
    return cycles / (mcu.CPU_HZ // 1000000)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.compute")
    ap.add_argument("--board", default="pico")
    ap.add_argument("--chip", action="store_true",
                    help="on the rp2 port on the emulated RP2040, in its own cycles")
    args = ap.parse_args(argv)
    if args.chip:
        chip_main(args.board)
        return
    rows = plans(args.board)
    # The cruise is covered in runs (one step time a run), too few to fit beside the roots
    # and segments: their time is taken at the model's figure and the rest fitted.
    root_us, seg_us, cruise_n = fit(rows, model_us(mcu.EVAL_CYCLES) / mcu.UNIX_TO_CHIP)
    eval_us = float("nan")
    figs = chip.measure(args.board)
    print("unix port (x86-64) on this machine, load %.1f; the model is the RP2040's own "
          "(bench.rp2, bench.compute --chip)" % os.getloadavg()[0])
    print("%-34s %10s %12s %10s" % ("figure", "unix µs", "RP2040 µs", "RP2040/unix"))
    print("(cruise step times: %d in all, charged at the model's figure / %d, not fitted)"
          % (cruise_n, mcu.UNIX_TO_CHIP))
    for label, got, cyc in (
        ("ramp step time (root)", root_us, mcu.ROOT_CYCLES),
        ("cruise step time", eval_us, mcu.EVAL_CYCLES),
        ("segment written", seg_us, mcu.SEG_CYCLES),
        ("poll, armed and idle", figs["us_poll_idle"], mcu.POLL_IDLE_CYCLES),
        ("poll, mid-dose", figs["us_poll_dose"], mcu.POLL_MOVING_CYCLES),
    ):
        mod = model_us(cyc)
        print("%-34s %10.2f %12.1f %10.0f" % (label, got, mod, mod / got))
    print()
    print("%-9s %6s %5s %6s %6s %5s %10s %14s" % (
        "axis", "steps", "plan", "evals", "roots", "segs", "unix µs", "RP2040 model ms"))
    for name, n, kind, evals, roots, segs, t in rows:
        cyc = (mcu.ROOT_CYCLES * roots + mcu.EVAL_CYCLES * (evals - roots)
               + mcu.SEG_CYCLES * segs)
        print("%-9s %6d %5s %6d %6d %5d %10d %14.1f" % (
            name, n, kind, evals, roots, segs, t, cyc * 1000.0 / mcu.CPU_HZ))
    print()
    print("start-up: each axis's ramp fitted to its top speed (motion.warm), once at power-up")
    print("%-9s %6s %6s %6s %14s" % ("axis", "steps", "evals", "roots", "RP2040 model ms"))
    for name, steps, evals, roots in warm_ups(args.board):
        cyc = mcu.ROOT_CYCLES * roots + mcu.EVAL_CYCLES * (evals - roots)
        print("%-9s %6d %6d %6d %14.1f" % (name, steps, evals, roots, cyc * 1000.0 / mcu.CPU_HZ))


if __name__ == "__main__":
    main()
