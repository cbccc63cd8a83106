"""Calibration error against the simulated plant's true bore: `python -m bench.calibrate`.

For each seed: the plant's true µL per nominal µL, the correction meso calibrate's steps
recover from weighed runs (0.1 mg balance), its error against the truth, and the check run.
"""

import argparse

from firmware import board as boards
from host.flash import calibrate
from sim.scale import PlantBench


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--shots", type=int, default=10)
    args = ap.parse_args(argv)
    bore_um = boards.by_name("sim").syringe(1).bore_um
    print("seed  true_ppm  recovered_ppm  error_ppm  check_run_error_%")
    worst = 0.0
    for seed in range(1, args.seeds + 1):
        bench = PlantBench(seed)
        found = calibrate.guided(bench.dispense, bench.weigh, lambda s: None, 1000000, bore_um,
                                 shots=args.shots, say=lambda *a: None)
        truth = 1e6 / bench.true_gain()
        err = found["cal_ppm"] - truth
        worst = max(worst, abs(err))
        print("%4d  %8.0f  %13d  %9.1f  %+17.4f" % (seed, truth, found["cal_ppm"], err,
                                                    found["check_error_pct"]))
    print("worst |error|: %.1f ppm (%.4f %%)" % (worst, worst / 1e4))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
