"""Calibration error against the simulated plant's true bore: `python -m bench.calibrate`.

In process, for each seed: the plant's true µL per nominal µL, the correction meso
calibrate's steps recover from weighed runs (0.1 mg balance), its error against the truth,
and the check run. Through the port (--port-seeds): `meso calibrate` itself against a served
virtual gun (`meso sim serve`), the engineer's part played by reading the balance under its
needle; the correction stored on the gun against the truth, and the wall time taken.
"""

import argparse
import builtins
import contextlib
import json
import os
import tempfile
import time

from firmware import board as boards
from host.flash import calibrate
from sim.scale import PlantBench, engineer, true_gain


def in_process(seeds, shots):
    bore_um = boards.by_name("sim").syringe(1).bore_um
    print("in process (%d shots a run)" % shots)
    print("seed  true_ppm  recovered_ppm  error_ppm  check_run_error_%")
    worst = 0.0
    for seed in range(1, seeds + 1):
        bench = PlantBench(seed, calibrate.protocol)
        found = calibrate.guided(bench.dispense, bench.weigh, lambda s: None, 1000000, bore_um,
                                 shots=shots, say=lambda *a: None)
        truth = 1e6 / bench.true_gain()
        err = found["cal_ppm"] - truth
        worst = max(worst, abs(err))
        print("%4d  %8.0f  %13d  %9.1f  %+17.4f" % (seed, truth, found["cal_ppm"], err,
                                                    found["check_error_pct"]))
    print("worst |error|: %.1f ppm (%.4f %%)" % (worst, worst / 1e4))


def through_the_port(seeds, shots, speed):
    from host.cli import main
    from sim.serve import Background

    print("through the port: meso calibrate against meso sim serve at %gx" % speed)
    print("seed  true_ppm  stored_ppm  error_ppm  check_run_mg  wall_s")
    worst = 0.0
    real_input = builtins.input
    try:
        for seed in range(1, seeds + 1):
            state = tempfile.mkdtemp(prefix="mesogun-cal-")
            with Background(state, seed, calibrate.protocol(1, 10, 1)["protocol"], speed) as gun:
                readings = []
                builtins.input = engineer(gun.device.balance, readings)
                t0 = time.monotonic()
                with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
                    rc = main(["calibrate", "--port", gun.port, "--syringe-ml", "1",
                               "--shots", str(shots)])
                wall_s = time.monotonic() - t0
                truth = 1e6 / true_gain(gun.device.world, 1)
            if rc != 0:
                print("%4d  meso calibrate failed (exit %d)" % (seed, rc))
                continue
            with open(os.path.join(state, "settings.json")) as f:
                stored = json.load(f)["cal_ppm"]
            err = stored - truth
            worst = max(worst, abs(err))
            print("%4d  %8.0f  %10d  %9.1f  %12.1f  %6.1f" % (seed, truth, stored, err,
                                                          readings[-1], wall_s))
    finally:
        builtins.input = real_input
    print("worst |error|: %.1f ppm (%.4f %%)" % (worst, worst / 1e4))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--port-seeds", type=int, default=3)
    ap.add_argument("--shots", type=int, default=10)
    ap.add_argument("--speed", type=float, default=50.0, help="served gun's speed-up")
    args = ap.parse_args(argv)
    in_process(args.seeds, args.shots)
    print()
    through_the_port(args.port_seeds, args.shots, args.speed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
