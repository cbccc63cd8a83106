"""Late steps in exact mode over a long session: the rp2 port's interrupt refill against a
soft timer that GC pauses hold off, with the default GC model.

    python -m bench.late_steps [--shots 10000] [--seed N] [--refill irq|timer|both]

The session is the facial example's zones, four times their points at 1.5 µL a shot (the
firmware caps a session at 20 mL), repeated until it has --shots points (the practitioner
refills the syringe when the gun asks). Every step runs as its own event
(exact mode), and each late one is counted (sim/stepper.py). Prints, per refill model, the
steps, late steps, the worst step error, the longest GC pause, simulated and wall time.
About 2-4 minutes per model for 10 000 shots.
"""

import argparse
import copy
import os
import time

from bench.facial import face
from sim.run import Run

DOSE_UL = 1.5


def long_session(shots):
    base = face()
    out = copy.deepcopy(base)
    out["zone"] = []
    left = shots
    rounds = 0
    while left > 0:
        rounds += 1
        for z in base["zone"]:
            if left <= 0:
                break
            z = dict(z, points=min(4 * z["points"], left), name="%s %d" % (z["name"], rounds),
                     dose_ul=DOSE_UL)
            left -= z["points"]
            out["zone"].append(z)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.late_steps")
    ap.add_argument("--shots", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--refill", choices=("irq", "timer", "both"), default="both")
    args = ap.parse_args(argv)
    proto = long_session(args.shots)
    models = ("irq", "timer") if args.refill == "both" else (args.refill,)
    print("exact mode, %d shots (%d zones), seed %d, default GC model; load %.1f"
          % (args.shots, len(proto["zone"]), args.seed, os.getloadavg()[0]))
    print("%-6s %6s %11s %10s %14s %13s %10s %8s" % (
        "refill", "shots", "steps", "late", "worst error", "longest GC", "sim s", "wall s"))
    for refill in models:
        t0 = time.perf_counter()
        run = Run(proto, seed=args.seed, exact=True, params={"refill_by": refill})
        rep = run.run()
        s = rep["summary"]
        w = run.world
        gc_ms = w.gc.longest_ms(w.env.now)
        print("%-6s %6d %11d %10d %11.3f µs %10.2f ms %10.0f %8.0f" % (
            refill, s["shots"], s["steps"], s["late_steps"], s["max_step_error_us"], gc_ms,
            s["sim_seconds"], time.perf_counter() - t0))


if __name__ == "__main__":
    main()
