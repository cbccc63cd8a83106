"""Lines near the fast-line bound: held on the pressure (tau 0.2 s and over) or settled?

    python -m bench.fast_bound [--seeds 1-5] [--points 20]

Each line is run compensated on the same seeds (the plant drawn as usual) twice: with the
firmware's bound (a line falling faster than 2 ms per kPa in air, tau < 0.2 s, is settled
and topped up, firmware/settle.py) and with the bound at 4 ms per kPa (tau < 0.4 s), which
moves these lines to the settled path. Printed per line and bound: the plant's tau range,
per path priming chose (the seeds that took it), the in-skin dose error (mean, p99 of |error|, in % of the dose),
drip p99 per shot (µL), the trigger-to-retract time (mean) and the estimate
(firmware/shottime.py), faults. The bound is a module figure of firmware/line.py; the
benchmark sets it for its own process only.
"""

import argparse

import numpy as np

from firmware import board as boards
from firmware import limits, line, units
from sim.run import Run

# (label, syringe mL, gauge, viscosity mPa·s, dose µL, flow µL/s): nominal tau 0.2-0.4 s.
LINES = [
    ("1 mL 32 G 2 mPa·s 10 µL", 1, 32, 2, 10, 20),
    ("1 mL 32 G 3 mPa·s 10 µL", 1, 32, 3, 10, 20),
    ("3 mL 30 G 2 mPa·s 20 µL", 3, 30, 2, 20, 40),
    ("3 mL 32 G 1 mPa·s 20 µL", 3, 32, 1, 20, 40),
]
BOUNDS_US_PER_KPA = (2000, 4000)


def proto(ml, gauge, mpas, dose_ul, flow, points):
    return {"protocol": {"name": "bound", "syringe_ml": ml, "needle_mm": 4,
                         "needle_gauge": gauge, "viscosity_mpas": mpas},
            "zone": [{"name": "z", "mode": "point", "points": points, "depth_mm": 1.0,
                      "dose_ul": dose_ul, "flow_ul_s": flow, "pace_ms": 6000}]}


def estimate_ms(p):
    b = boards.by_name("sim")
    head, z = p["protocol"], p["zone"][0]
    syringe = b.syringe(head["syringe_ml"])
    flow = limits.zone_flow_nl_s(b, syringe, z, head)
    return limits.shot_time_ms(b, syringe, head, 1000, units.milli(z["dose_ul"]), flow)


def run_line(p, seeds):
    """Per path priming chose (held or settled), the figures of the seeds that took it."""
    by = {}
    for seed in seeds:
        run = Run(p, seed=seed)
        rep = run.run()
        ref = run.fw.fw.app.machine.dosing.ref
        path = "settled" if ref.fast else "held" if ref.ok else "model"
        g = by.setdefault(path, {"errs": [], "drips": [], "times": [], "taus": [], "faults": 0})
        g["taus"].append(run.world.plunger.tau)
        g["faults"] += len(rep["faults"])
        for s in rep["shots"]:
            if s["fault"] is None:
                g["errs"].append(100.0 * (s["delivered_ul"] / s["commanded_ul"] - 1))
                g["drips"].append(s["drip_ul"])
                g["times"].append(s["t_end_s"] - s["t_start_s"])
    out = []
    for path in sorted(by):
        g = by[path]
        errs = np.array(g["errs"])
        out.append({"path": "%s (%d)" % (path, len(g["taus"])),
                    "tau": (min(g["taus"]), max(g["taus"])), "mean": errs.mean(),
                    "p99": np.percentile(np.abs(errs), 99),
                    "drip": np.percentile(g["drips"], 99), "time": np.mean(g["times"]),
                    "faults": g["faults"], "est": estimate_ms(p) / 1000.0})
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.fast_bound",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="1-5", help="seeds A-B")
    ap.add_argument("--points", type=int, default=20)
    args = ap.parse_args(argv)
    a, b = (int(x) for x in args.seeds.split("-"))
    seeds = range(a, b + 1)
    print("| line | bound | plant tau s | path | mean | p99 | drip p99 µL | shot s | estimate s "
          "| faults |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    saved = line.FAST_US_PER_KPA
    try:
        for label, *figs in LINES:
            p = proto(*figs, points=args.points)
            for bound in BOUNDS_US_PER_KPA:
                line.FAST_US_PER_KPA = bound
                for r in run_line(p, seeds):
                    print("| %s | tau < %.1f s | %.2f-%.2f | %s | %+.2f %% | %.2f %% | %.3f | %.2f | "
                          "%.2f | %d |" % (label, bound / 10000.0, r["tau"][0], r["tau"][1],
                                           r["path"], r["mean"], r["p99"], r["drip"], r["time"],
                                           r["est"], r["faults"]), flush=True)
    finally:
        line.FAST_US_PER_KPA = saved


if __name__ == "__main__":
    main()
