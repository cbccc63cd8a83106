"""Real-time factor of `meso sim run` (fast mode, compute time charged) on every example
and on a burst-heavy session, with the wall time per shot.

    python -m bench.sim_factor [--seed N] [--repeat R] [--session NAME ...]

Each session runs R times (best kept, the machine being shared), wall time from building
the run to its report, as `meso sim run` does it, and the process's CPU time over the same
span ("cpu factor": what a core to itself would give, steadier than the wall on a loaded
machine); "free code" is the same session with compute_scale=0 (the charge off), in the
same minutes. The burst-heavy session is the facial example cut to 104
point shots plus a 40-shot burst zone as fast as the validator allows it. Goal: 1000x on each.
"""

import argparse
import copy
import glob
import os
import time

from bench.facial import ROOT, face
from firmware import board as boards
from firmware import limits, units
from host import protocol
from sim.run import Run

GOAL = 1000


def burst_heavy():
    proto = face()
    left = 104
    for z in proto["zone"]:
        z["points"] = max(0, min(z["points"], left))
        left -= z["points"]
    proto["zone"] = [z for z in proto["zone"] if z["points"] > 0]
    board = boards.by_name("sim")
    syringe = board.syringe(proto["protocol"]["syringe_ml"])
    burst = copy.deepcopy(proto["zone"][0])
    for k in ("pace_ms", "hold_ms"):
        burst.pop(k, None)
    burst.update(name="burst", mode="burst", points=40, depth_mm=1.0, dose_ul=2)
    # As fast as the validator lets this syringe, needle and fluid go (firmware/limits.py).
    shot_ms = limits.shot_time_ms(board, syringe, proto["protocol"], units.milli(burst["depth_mm"]),
                                  units.milli(burst["dose_ul"]), units.milli(burst["flow_ul_s"]))
    burst["rate_per_min"] = min(syringe.max_burst_per_min, 60000 // shot_ms)
    proto["zone"].append(burst)
    return proto


def sessions():
    for path in sorted(glob.glob(os.path.join(ROOT, "examples", "*.toml"))):
        yield os.path.basename(path), protocol.load(path).core()
    yield "burst-heavy", burst_heavy()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.sim_factor")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--session", action="append", help="only this session (repeatable)")
    args = ap.parse_args(argv)
    print("fast mode, compute time charged, seed %d, best of %d; load %.1f"
          % (args.seed, args.repeat, os.getloadavg()[0]))
    print("%-16s %6s %9s %8s %8s %10s %10s %11s  %s" % (
        "session", "shots", "sim s", "wall s", "factor", "ms/shot", "cpu factor", "free code",
        "goal %dx" % GOAL))
    worst = None
    for name, proto in sessions():
        if args.session and name not in args.session:
            continue
        factors = []
        for scale in (1.0, 0.0):  # charged, and the same session with code free (baseline)
            best = cpu = None
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                s = Run(proto, seed=args.seed, params={"compute_scale": scale}).run()["summary"]
                wall, c = time.perf_counter() - t0, time.process_time() - c0
                best = wall if best is None or wall < best else best
                cpu = c if cpu is None or c < cpu else cpu
            factors.append((s, best, s["sim_seconds"] / best, s["sim_seconds"] / cpu))
        (s, best, factor, cpu_factor), (_, _, free, _) = factors
        worst = factor if worst is None or factor < worst else worst
        print("%-16s %6d %9.1f %8.2f %8.0f %10.2f %9.0fx %10.0fx  %s" % (
            name, s["shots"], s["sim_seconds"], best, factor, 1000 * best / max(s["shots"], 1),
            cpu_factor, free, "met" if factor >= GOAL else "NOT met"))
    print("slowest: %.0fx; load %.1f at the end" % (worst, os.getloadavg()[0]))


if __name__ == "__main__":
    main()
