"""Naive against compensated dosing on every example protocol, same seeds, same plants.

    python -m bench.dosing [--seeds 1-20] [--procs 2]       the table
    python -m bench.dosing --sweep [--seeds 1-3]             the mismatch sweep
    python -m bench.dosing --no-sensor [--seeds 1-5]         a board without the sensor

Each seed draws the true plant around published centres (sim/params.py: compliance by
brand, glide friction, bore, needle bore and hub, viscosity, backlash, lead, tissue per
point); the firmware knows only its nominal figures and the stored calibration. Errors are
what entered the skin (the plant's truth) against what was commanded, per shot without a
fault: in % for doses of 10 µL and more, in µL below; drip is what left the needle outside
the skin after each shot. The sweep scales the true compliance (x0.5..x2) and viscosity
(x0.7..x1.3) and puts air in each fill (0 or 5 µL) on the 1 and 3 mL protocols.
"""

import argparse
import glob
import os
from multiprocessing import Pool

import numpy as np

from host import protocol
from sim.run import Run

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The simulator's fluid model per example: hyaluronic acid is shear-thinning.
FLUIDS = {"booster_ha.toml": {"fluid_n": 0.45}}
SWEEP_FILES = ("face.toml", "hands.toml", "booster_ha.toml")
SWEEP = [(c, v, a) for c in (0.5, 1.0, 2.0) for v in (0.7, 1.0, 1.3) for a in (0.0, 5.0)]


def examples():
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "examples", "*.toml")))


def one(job):
    """(file, seed, mode, extra params) -> per-shot arrays and run figures."""
    name, seed, mode, extra = job
    proto = protocol.load(os.path.join(ROOT, "examples", name)).core()
    params = dict(FLUIDS.get(name, {}), **extra)
    rep = Run(proto, seed=seed, dosing=mode, params=params).run()
    good = [s for s in rep["shots"] if s["fault"] is None]
    return {
        "cmd": np.array([s["commanded_ul"] for s in good]),
        "got": np.array([s["delivered_ul"] for s in good]),
        "drip": np.array([s["drip_ul"] for s in rep["shots"]]),
        "faults": len(rep["faults"]),
        "sim_s": rep["summary"]["sim_seconds"],
    }


def figures(results):
    cmd = np.concatenate([r["cmd"] for r in results])
    got = np.concatenate([r["got"] for r in results])
    drip = np.concatenate([r["drip"] for r in results])
    big = cmd >= 10.0
    pct = (got[big] - cmd[big]) / cmd[big] * 100
    small = np.abs(got[~big] - cmd[~big])
    return {
        "shots": len(cmd),
        "mean": float(pct.mean()) if len(pct) else float("nan"),
        "p99": float(np.percentile(np.abs(pct), 99)) if len(pct) else float("nan"),
        "p99_small_ul": float(np.percentile(small, 99)) if len(small) else None,
        "drip_p99": float(np.percentile(drip, 99)) if len(drip) else 0.0,
        "faults": sum(r["faults"] for r in results),
        "sim_s": float(np.mean([r["sim_s"] for r in results])),
    }


def seeds_arg(text):
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(s) for s in text.split(",")]


def table(seeds, procs, comp_params):
    files = examples()
    jobs = [(f, s, m, comp_params if m == "compensated" else {})
            for f in files for s in seeds for m in ("naive", "compensated")]
    with Pool(procs) as pool:
        out = pool.map(one, jobs, chunksize=1)
    res = {(f, s, m): r for (f, s, m, _), r in zip(jobs, out)}
    print("every example, seeds %d-%d; in-skin error %% of the dose (doses >= 10 µL), drip µL"
          " per shot%s" % (seeds[0], seeds[-1], "; compensated WITHOUT the pressure sensor"
                           if comp_params else ""))
    head = "%-16s %6s | %8s %8s %7s %4s | %8s %8s %7s %4s | %6s %7s"
    print(head % ("protocol", "shots", "naive", "p99", "drip99", "flt", "comp.", "p99",
                  "drip99", "flt", "ratio", "sim s"))
    rows = []
    for f in files + ["all"]:
        sel = files if f == "all" else [f]
        n = figures([res[(g, s, "naive")] for g in sel for s in seeds])
        c = figures([res[(g, s, "compensated")] for g in sel for s in seeds])
        rows.append((f, n, c))
        print("%-16s %6d | %+8.2f %8.2f %7.3f %4d | %+8.3f %8.3f %7.3f %4d | %5.1fx %7.0f"
              % (f, c["shots"], n["mean"], n["p99"], n["drip_p99"], n["faults"], c["mean"],
                 c["p99"], c["drip_p99"], c["faults"], n["p99"] / c["p99"], c["sim_s"]))
    return rows


def sweep(seeds, procs):
    jobs = []
    for c, v, a in SWEEP:
        extra = {"compliance_scale": c, "viscosity_scale": v, "air_ul": a}
        jobs += [(f, s, "compensated", extra) for f in SWEEP_FILES for s in seeds]
    frozen = [(f, s, m, tuple(sorted(e.items()))) for f, s, m, e in jobs]
    with Pool(procs) as pool:
        out = pool.map(one, jobs, chunksize=1)
    res = dict(zip(frozen, out))
    print("mismatch sweep, compensated, %s, seeds %s" % (", ".join(SWEEP_FILES),
                                                         ",".join(map(str, seeds))))
    print("%-10s %-9s %-6s %6s %8s %8s %7s %4s" % ("compliance", "viscosity", "air µL",
                                                  "shots", "mean %", "p99 %", "drip99", "flt"))
    worst = 0.0
    for c, v, a in SWEEP:
        key = tuple(sorted({"compliance_scale": c, "viscosity_scale": v, "air_ul": a}.items()))
        fig = figures([res[(f, s, "compensated", key)] for f in SWEEP_FILES for s in seeds])
        worst = max(worst, fig["p99"])
        print("x%-9.1f x%-8.1f %-6.0f %6d %+8.3f %8.3f %7.3f %4d"
              % (c, v, a, fig["shots"], fig["mean"], fig["p99"], fig["drip_p99"], fig["faults"]))
    print("worst p99 over the grid: %.3f %%" % worst)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default=None, help="1-20 (default; 1-3 with --sweep) or 1,2,3")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--sweep", action="store_true", help="the compliance/viscosity/air grid")
    ap.add_argument("--no-sensor", action="store_true",
                    help="compensated on a board without the line-pressure sensor")
    args = ap.parse_args(argv)
    if args.sweep:
        sweep(seeds_arg(args.seeds or "1-3"), args.procs)
    else:
        table(seeds_arg(args.seeds or "1-20"), args.procs,
              {"pressure_sensor": 0} if args.no_sensor else {})


if __name__ == "__main__":
    main()
