"""Continuous and perfusion modes on the simulated device (firmware/flow.py)."""

import os
import tomllib

import pytest

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


@pytest.mark.xfail(strict=True, reason="known defect: on a line held on its pressure the pass "
                   "is swept at the needle's pace (1.6 s for a 5 s pass); at the zone's flow the "
                   "line would empty its charge at the reference into the skin (39.6 uL for 20): "
                   "a pass needs its own reference, R x its flow")
def test_a_continuous_pass_flows_at_its_zones_flow_on_a_pressure_held_line():
    """A continuous pass is a thread laid while the needle is drawn: the plunger flows at the
    zone's flow for the pass's duration (firmware/flow.py). On a line held on its pressure
    the point shots' dose sweeps at the needle's own pace, which is not the pass's."""
    run = Run(flow_proto(), seed=2)
    rep = run.run()
    passes = [s for s in rep["shots"] if s["zone"] == 0]
    assert len(passes) == 2 and run.fw.app.machine.dosing.ref is not None
    for s in passes:
        # 20 µL at 4 µL/s: at least the 5 s of the pass, plus needle in and out and relief.
        assert s["t_end_s"] - s["t_start_s"] > 5.0, s
