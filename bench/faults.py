"""Fault campaign: every fault kind the simulator knows, at several shots, seeds and modes.

    python -m bench.faults [--quick] [--seeds N] [--shots 1,3,5]

Kinds come from sim/faults.py's registry (a kind added there is run here too, with its
default duration). Each row is one kind: runs, runs where the fault struck, runs whose fault tripped the gun, of those
the runs where every trip reached the safe state (plunger stopped, needle out, carriage
home, alarm on, latched), the worst time from the fault to the latch, the worst shot
over-delivery (plant truth against the commanded dose) and points given twice (must be 0).
Every run's records are checked to be of the mode its protocol asks (the burst rows run
burst shots). Exits 1 if a point was given twice, a trip did not reach the safe state, a
fault never struck, or a run's records were of another mode.
"""

import argparse
import sys
import time

from firmware.wire.modes import MODES
from sim import faults as sim_faults
from sim.run import Run

HEAD = {"name": "campaign", "syringe_ml": 3, "needle_mm": 4, "needle_gauge": 30,
        "viscosity_mpas": 1}
ZONES = {
    "point": {"name": "p", "mode": "point", "points": 6, "depth_mm": 1.0, "dose_ul": 10,
              "pace_ms": 2600, "flow_ul_s": 20},
    "burst": {"name": "b", "mode": "burst", "points": 6, "depth_mm": 1.0, "dose_ul": 10,
              "rate_per_min": 22, "flow_ul_s": 20},
    "continuous": {"name": "c", "mode": "continuous", "points": 6, "depth_mm": 1.0,
                   "dose_ul": 1, "flow_ul_s": 10, "duration_s": 1.5},
    "perfusion": {"name": "f", "mode": "perfusion", "points": 6, "depth_mm": 1.5,
                  "dose_ul": 5, "bolus_every_s": 2, "flow_ul_s": 10},
}
QUICK = {"seeds": 1, "shots": (2,)}
DEFAULT = {"seeds": 5, "shots": (1, 3, 5)}


def protocol(mode):
    return {"protocol": dict(HEAD), "zone": [dict(ZONES[mode])]}


def one(kind, mode, shot, seed):
    """Run one session with one fault; the figures of its row."""
    run = Run(protocol(mode), seed=seed, fault_specs=["%s#%d" % (kind, shot)])
    rep = run.run()
    injected = [i["time_s"] for i in run.injections]
    t_fault = injected[0] if injected else None
    trips = run.fault_events
    safe = all(ev.get("latched_s") is not None and ev.get("needle_out")
               and ev.get("carriage_home") and ev.get("alarm") for ev in trips)
    to_safe = [ev["latched_s"] - (t_fault if t_fault is not None and t_fault <= ev["time_s"]
                                  else ev["time_s"])
               for ev in trips if ev.get("latched_s") is not None]
    over = [s["delivered_ul"] - s["commanded_ul"] for s in rep["shots"]]
    want = MODES.index(mode)
    return {
        "injected": bool(injected),
        "tripped": bool(trips),
        "safe": safe,
        "to_safe_s": max(to_safe) if to_safe else None,
        "over_ul": max(over) if over else 0.0,
        "twice": rep["summary"]["points_twice"],
        "mode_ok": all(r["mode"] == want for r in run.records),  # none: cut before a shot
    }


def campaign(seeds, shots, out=print):
    rows = []
    wall0 = time.perf_counter()
    for kind in sim_faults.KINDS:
        row = {"kind": kind, "runs": 0, "injected": 0, "tripped": 0, "safe": 0, "to_safe_s": None,
               "over_ul": None, "twice": 0, "mode_bad": []}
        for mode in ZONES:
            for shot in shots:
                for seed in range(seeds):
                    r = one(kind, mode, shot, seed)
                    row["runs"] += 1
                    row["injected"] += r["injected"]
                    row["tripped"] += r["tripped"]
                    row["safe"] += r["tripped"] and r["safe"]
                    if r["to_safe_s"] is not None:
                        row["to_safe_s"] = max(row["to_safe_s"] or 0.0, r["to_safe_s"])
                    row["over_ul"] = r["over_ul"] if row["over_ul"] is None else max(
                        row["over_ul"], r["over_ul"])
                    row["twice"] += r["twice"]
                    if not r["mode_ok"]:
                        row["mode_bad"].append("%s#%d seed %d" % (mode, shot, seed))
        rows.append(row)
    out(table(rows, seeds, shots, time.perf_counter() - wall0))
    return rows


def table(rows, seeds, shots, wall_s):
    fmt = "%-14s %5s %9s %8s %6s %16s %14s %6s %9s"
    lines = ["fault campaign: modes %s; shots %s; seeds 0..%d"
             % (", ".join(ZONES), ",".join(str(s) for s in shots), seeds - 1),
             fmt % ("kind", "runs", "injected", "tripped", "safe", "worst to safe s", "worst over µL",
                    "twice", "modes ok")]
    for r in rows:
        lines.append(fmt % (r["kind"], r["runs"], r["injected"], r["tripped"], r["safe"],
                            "-" if r["to_safe_s"] is None else "%.3f" % r["to_safe_s"],
                            "%+.3f" % r["over_ul"], r["twice"],
                            "yes" if not r["mode_bad"] else "NO"))
    lines.append("%d runs in %.1f s" % (sum(r["runs"] for r in rows), wall_s))
    return "\n".join(lines)


def failures(rows):
    """What must never happen, one line each (empty: the campaign passed)."""
    out = []
    for r in rows:
        if r["twice"]:
            out.append("%s: %d points given twice" % (r["kind"], r["twice"]))
        if r["safe"] != r["tripped"]:
            out.append("%s: %d trips did not reach the safe state"
                       % (r["kind"], r["tripped"] - r["safe"]))
        if r["injected"] != r["runs"]:
            out.append("%s: %d runs ended before the fault struck"
                       % (r["kind"], r["runs"] - r["injected"]))
        if r["mode_bad"]:
            out.append("%s: records of another mode in %s" % (r["kind"], ", ".join(r["mode_bad"])))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.faults", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="one seed, one shot per kind and mode")
    ap.add_argument("--seeds", type=int, help="seeds per case (default %d)" % DEFAULT["seeds"])
    ap.add_argument("--shots", help="shots the fault strikes, e.g. 1,3,5")
    args = ap.parse_args(argv)
    size = dict(QUICK if args.quick else DEFAULT)
    if args.seeds:
        size["seeds"] = args.seeds
    if args.shots:
        size["shots"] = tuple(int(s) for s in args.shots.split(","))
    bad = failures(campaign(size["seeds"], size["shots"]))
    for line in bad:
        print("bench.faults: %s" % line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
