"""Continuous and perfusion modes on the simulated device (firmware/flow.py)."""

import os
import tomllib

from sim.run import Run

DATA = os.path.join(os.path.dirname(__file__), "data")


def flow_proto():
    with open(os.path.join(DATA, "flow.toml"), "rb") as f:
        return tomllib.load(f)


def test_continuous_passes_and_perfusion_boluses_deliver_what_they_command():
    run = Run(flow_proto(), seed=2, sample_s=0.5)
    rep = run.run()
    assert rep["faults"] == [] and rep["summary"]["ended_by"] == "session complete"
    passes = [s for s in rep["shots"] if s["zone"] == 0]
    boluses = [s for s in rep["shots"] if s["zone"] == 1]
    assert len(passes) == 2 and len(boluses) == 4
    for s in passes:
        assert s["commanded_ul"] == 20.0  # 4 µL/s for 5 s
        assert abs(s["delivered_ul"] - 20.0) < 1.0
    # Perfusion boluses start from a relieved line, which a compliant syringe fills first:
    # they come out short at first (never more than commanded: no bolus overdoses).
    for s in boluses:
        assert s["delivered_ul"] <= 2.0 + 0.1
    assert boluses[-1]["delivered_ul"] > boluses[0]["delivered_ul"]
    # Perfusion keeps the needle in: one insertion for the four boluses, 2 s apart.
    assert len(run.world.insertions) == 3
    starts = [s["t_start_s"] for s in boluses]
    assert all(abs((b - a) - 2.0) < 0.01 for a, b in zip(starts, starts[1:]))
    # Sampled every 0.5 s; delivered volume never decreases.
    ts = [t for t, _, _ in run.samples]
    assert abs(ts[1] - ts[0] - 0.5) < 1e-9
    vols = [v for _, v, _ in run.samples]
    assert all(b >= a - 1e-9 for a, b in zip(vols, vols[1:]))
