"""Continuous and perfusion accuracy, measured the way infusion pumps are (IEC 60601-2-24).

    python -m bench.flow_iec [--seed N] [--png FILE]

Delivered volume (into the skin, from the plant) is sampled every 0.5 s of simulated time.
The start-up curve is the flow of each sample over the whole pass; the trumpet curve is,
over the second half of the pass, the largest and smallest mean-flow error in any window of
2, 5, 11, 19 and 31 consecutive samples; A is the error over that whole half. Perfusion's
set flow is its bolus divided by its interval.
"""

import argparse

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from sim.run import Run

SAMPLE_S = 0.5
WINDOWS = (2, 5, 11, 19, 31)
HEAD = {"name": "Flow accuracy", "syringe_ml": 3, "needle_mm": 4, "needle_gauge": 32,
        "viscosity_mpas": 20}
CASES = (
    ("continuous 2 µL/s, 120 s", {"name": "pass", "mode": "continuous", "points": 1,
                                  "depth_mm": 1.5, "dose_ul": 10, "flow_ul_s": 2,
                                  "duration_s": 120}, 2.0),
    ("perfusion 2 µL every 2 s", {"name": "boluses", "mode": "perfusion", "points": 60,
                                  "depth_mm": 1.5, "dose_ul": 2, "bolus_every_s": 2,
                                  "flow_ul_s": 8}, 1.0),
)


def measure(zone, set_ul_s, seed):
    run = Run({"protocol": dict(HEAD), "zone": [zone]}, seed=seed, sample_s=SAMPLE_S)
    run.run()
    t = np.array([s[0] for s in run.samples])
    v = np.array([s[2] for s in run.samples])
    flow = np.diff(v) / SAMPLE_S
    # The pass: from the first sample with flow to the last.
    on = np.nonzero(flow > 0.05 * set_ul_s)[0]
    first, last = on[0], on[-1]
    tail = flow[first + (last - first) // 2:last]
    if "bolus_every_s" in zone:
        # Whole bolus periods only, or A measures where the window cuts a bolus.
        per = round(zone["bolus_every_s"] / SAMPLE_S)
        tail = tail[:len(tail) // per * per]
    trumpet = []
    for p in WINDOWS:
        means = np.convolve(tail, np.ones(p) / p, mode="valid")
        err = (means - set_ul_s) / set_ul_s * 100
        trumpet.append((p, err.max(), err.min()))
    overall = (tail.mean() - set_ul_s) / set_ul_s * 100
    return t[1:] - t[first], flow, trumpet, overall


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--png", default="flow_iec.png")
    args = ap.parse_args(argv)
    fig, axes = plt.subplots(len(CASES), 2, figsize=(11, 4 * len(CASES)))
    for row, (label, zone, set_ul_s) in enumerate(CASES):
        t, flow, trumpet, overall = measure(zone, set_ul_s, args.seed)
        print("%s (set %.2f µL/s, 32 G 4 mm, 20 mPa·s, seed %d)" % (label, set_ul_s, args.seed))
        print("  A (second half)  %+.3f %%" % overall)
        print("  window samples   " + "  ".join("%6d" % p for p, _, _ in trumpet))
        print("  Ep max %         " + "  ".join("%+6.2f" % hi for _, hi, _ in trumpet))
        print("  Ep min %         " + "  ".join("%+6.2f" % lo for _, _, lo in trumpet))
        ax = axes[row][0]
        ax.plot(t, flow, lw=0.8)
        ax.axhline(set_ul_s, color="k", ls="--", lw=0.8)
        ax.set_title("start-up: %s" % label)
        ax.set_xlabel("time from start of flow (s)")
        ax.set_ylabel("flow per 0.5 s sample (µL/s)")
        ax = axes[row][1]
        ps = [p for p, _, _ in trumpet]
        ax.plot(ps, [hi for _, hi, _ in trumpet], "o-", label="Ep max")
        ax.plot(ps, [lo for _, _, lo in trumpet], "o-", label="Ep min")
        ax.axhline(overall, color="k", ls="--", lw=0.8, label="A")
        ax.set_title("trumpet: %s" % label)
        ax.set_xlabel("observation window (samples of 0.5 s)")
        ax.set_ylabel("flow error (%)")
        ax.legend()
    fig.tight_layout()
    fig.savefig(args.png, dpi=100)
    print("drawn to %s" % args.png)


if __name__ == "__main__":
    main()
