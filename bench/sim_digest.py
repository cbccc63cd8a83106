"""Digests of simulated sessions, to show a speed change computes exactly what it did before.

    python -m bench.sim_digest [--quick] > digests.txt   (then diff two trees' outputs)

Each line names a session (example or variant, seed, mode, parameters, faults) and prints
two SHA-256 prefixes: of its JSON report without wall_seconds together with the flash
files the firmware wrote (the shot log), and of the plant's raw end state (every float in
full, not rounded as the report rounds them), with the number of polls.
"""

import argparse
import hashlib
import json
import os

from bench.facial import ROOT
from bench.sim_factor import burst_heavy
from host import protocol
from sim.report import to_json
from sim.run import Run

EXAMPLES = ("abdomen", "booster_ha", "burst", "decollete", "face", "hands", "neck", "scalp",
            "water-1ml")


def example(name):
    return protocol.load(os.path.join(ROOT, "examples", name + ".toml")).core()


def cases(quick):
    for name in EXAMPLES:
        yield name, 1, {}, (), False, "compensated"
    yield "burst-heavy", 1, {}, (), False, "compensated"
    for seed in (2, 3):
        yield "face", seed, {}, (), False, "compensated"
        yield "burst-heavy", seed, {}, (), False, "compensated"
    yield "face", 4, {"compute_scale": 0.0}, (), False, "compensated"
    yield "hands", 2, {"refill_by": "timer"}, (), False, "compensated"
    yield "scalp", 2, {}, (), False, "naive"
    for spec in ("occlusion#5", "contact_lost#3", "stall#4", "syringe_empty#6",
                 "stuck_switch#2", "gc_storm@20:10", "power_loss@30:5"):
        yield "hands", 3, {}, (spec,), False, "compensated"
    if not quick:
        yield "water-1ml", 1, {}, (), True, "compensated"
        yield "hands", 1, {"refill_by": "timer"}, (), True, "compensated"


def digest(name, seed, params, faults, exact, dosing):
    proto = burst_heavy() if name == "burst-heavy" else example(name)
    run = Run(proto, seed=seed, exact=exact, params=dict(params), fault_specs=faults,
              dosing=dosing)
    report = json.loads(to_json(run.run()))
    del report["summary"]["wall_seconds"]
    files = run.world.hal.files
    h = hashlib.sha256(json.dumps(report, sort_keys=True).encode())
    for k in sorted(files):
        h.update(k.encode() + b"\0" + bytes(files[k]))
    w = run.world
    pl = w.plunger
    raw = (pl.v, pl.out_ul, pl.leak_ul, pl.swept_ul, pl.rod_um, pl.gap_um, pl.t, pl.steps,
           w.carriage.steps, w.drip_ul, w.env.now, w.compute.total_ticks,
           w.plunger_exec.late_steps, w.carriage_exec.late_steps)
    r = hashlib.sha256(repr(raw).encode())
    return h.hexdigest()[:16], r.hexdigest()[:16], w.polls


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.sim_digest")
    ap.add_argument("--quick", action="store_true", help="fast mode only (no exact runs)")
    args = ap.parse_args(argv)
    for name, seed, params, faults, exact, dosing in cases(args.quick):
        rep, raw, polls = digest(name, seed, params, faults, exact, dosing)
        label = "%s seed %d%s%s%s%s" % (
            name, seed, " exact" if exact else "", "".join(" %s=%s" % kv for kv in params.items()),
            "".join(" " + f for f in faults), "" if dosing == "compensated" else " " + dosing)
        print("%-50s report %s raw %s polls %d" % (label, rep, raw, polls), flush=True)


if __name__ == "__main__":
    main()
