"""The plan counts every priming the gun makes: one per fill, and one after a perfusion zone."""

import copy
import json
import os
import tomllib

from firmware import board
from firmware.linemove import Priming
from host import protocol
from sim.run import Run

FLOW = os.path.join(os.path.dirname(__file__), "..", "sim", "data", "flow.toml")


def _flow_then_points(tmp_path):
    """flow.toml's perfusion zone, then a point zone on the same line."""
    with open(FLOW, "rb") as f:
        data = tomllib.load(f)
    drip = data["zone"][1]
    point = {"name": "after", "mode": "point", "points": 3, "depth_mm": 1.0, "dose_ul": 2,
             "pace_ms": 4000}
    data["zone"] = [drip, point]
    def table(d):  # strings and numbers only: JSON's spelling is TOML's
        return "".join("%s = %s\n" % (k, json.dumps(v)) for k, v in d.items())

    text = "[protocol]\n" + table(data["protocol"])
    for z in data["zone"]:
        text += "\n[[zone]]\n" + table(z)
    path = tmp_path / "drip_then_points.toml"
    path.write_text(text)
    return path


def test_the_plan_counts_the_priming_after_a_perfusion_zone(tmp_path, monkeypatch):
    path = _flow_then_points(tmp_path)
    proto = protocol.load(str(path))
    assert protocol.errors(proto, "sim") == []
    from host.protocol.plan import Plan

    plan = Plan(proto, board.by_name("sim"))
    primes = []
    start = Priming.start_prime

    def counted(self, now):
        primes.append(now)
        return start(self, now)

    monkeypatch.setattr(Priming, "start_prime", counted)
    rep = Run(copy.deepcopy(proto.core()), seed=1).run()
    assert rep["summary"]["ended_by"] == "session complete" and rep["faults"] == []
    # One fill, primed before the drip and again before the point zone.
    assert plan.fills == 1 and len(primes) == 2
    assert plan.primes == len(primes)
    assert abs(plan.prime_s - 2 * plan.zones[0].prime_ms / 1000) < 1e-9
