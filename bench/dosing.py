"""Naive against compensated dosing on the facial session, same seeds, same plants.

    python -m bench.dosing [--seeds 1,2,3]

Each seed draws the plant's true parameters (bore, backlash, stopper compliance by brand,
viscosity, lead error) and the stored calibration's error; the firmware knows only the
nominal figures and that calibration. Errors are delivered (into the skin, from the plant)
against commanded, per shot. The uncalibrated rows show what the bore tolerance alone does.
"""

import argparse

import numpy as np

from bench.facial import face
from sim.run import Run


def errors(rep):
    return np.array([(s["delivered_ul"] - s["commanded_ul"]) / s["commanded_ul"] * 100
                     for s in rep["shots"] if s["fault"] is None])


def row(label, errs, faults, drip):
    a = np.abs(errs)
    return ("%-28s %5d %+8.3f %8.3f %8.3f %8.2f %5.1f %%  %4d %7.2f"
            % (label, len(errs), errs.mean(), np.percentile(a, 99), a.max(), errs[0],
               100.0 * (a <= 2.0).mean(), faults, drip))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="1,2,3")
    args = ap.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    proto = face()
    print("facial session (bench/facial.py), %d shots per run, errors in %% of the dose"
          % sum(z["points"] for z in proto["zone"]))
    print("%-28s %5s %8s %8s %8s %8s %7s  %4s %7s" % (
        "run", "shots", "mean", "p99|e|", "max|e|", "first", "in±2%", "flt", "drip µL"))
    pooled = {}
    for seed in seeds:
        for mode in ("naive", "compensated"):
            for cal in (True, False):
                params = None if cal else {"calibration_sd_pct": -1.0}
                rep = Run(proto, seed=seed, dosing=mode, params=params).run()
                e = errors(rep)
                label = "seed %d %s%s" % (seed, mode, "" if cal else " uncal.")
                print(row(label, e, len(rep["faults"]), rep["summary"]["drip_ul_total"]))
                if seed == seeds[0] and cal:
                    print("%-28s brand %s, bore %+.2f %%, viscosity %.1f mPa·s, backlash %.1f µm,"
                          " calibration %d ppm" % ("", rep["plant"]["brand"],
                                                  100 * (rep["plant"]["bore_mm"] / 8.66 - 1),
                                                  rep["plant"]["viscosity_mpas"],
                                                  rep["plant"]["backlash_um"],
                                                  rep["calibration_ppm"]))
                pooled.setdefault((mode, cal), []).append(e)
    for (mode, cal), es in sorted(pooled.items()):
        label = "all seeds %s%s" % (mode, "" if cal else " uncal.")
        print(row(label, np.concatenate(es), 0, 0.0))


if __name__ == "__main__":
    main()
