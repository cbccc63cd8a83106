"""Never dry: the gun accounts the plunger's whole travel and keeps a reserve, so a shot
that would not fit asks for a refill before it starts, on every seed; `meso plan` names the
same refill points (firmware/fill.py, one rule)."""

from firmware import fill
from firmware.board import by_name
from sim.report import outcome
from sim.run import Run


def proto(syringe_ml, zones):
    return {"protocol": {"name": "fills", "syringe_ml": syringe_ml, "needle_mm": 4,
                         "needle_gauge": 30, "viscosity_mpas": 1},
            "zone": [{"name": "z%d" % i, "mode": "point", "points": n, "depth_mm": 1.0,
                      "dose_ul": dose, "pace_ms": 2500, "flow_ul_s": 60}
                     for i, (n, dose) in enumerate(zones)]}


def shots_before_refills(p):
    """Shots the plan gives from each fill but the last: where the refills come."""
    ends = fill.account(by_name("sim"), p)[0]
    counts = [sum(z["points"] for z in p["zone"][:zi]) + i + 1 for zi, i in ends]
    return counts[:-1]


def check_never_dry(p, seed):
    run = Run(p, seed=seed)
    rep = run.run()
    s = rep["summary"]
    assert outcome(rep) == (True, ""), (seed, s["ended_by"], rep["faults"])
    assert rep["faults"] == [] and all(r["fault"] is None for r in rep["shots"]), seed
    # Asked before a shot, never during one: every shot a whole dose, including the last
    # one of each fill; the refills come where the plan says.
    for r in rep["shots"]:
        assert abs(r["delivered_ul"] - r["commanded_ul"]) < 0.1 * r["commanded_ul"], (seed, r)
    assert run.refill_after == shots_before_refills(p), (seed, run.refill_after)
    return s


def test_a_3000_ul_protocol_in_a_3_ml_syringe_never_runs_dry_on_any_seed():
    p = proto(3, [(100, 30)])  # validates: exactly the syringe's nominal volume
    for seed in range(4):
        s = check_never_dry(p, seed)
        assert s["syringes_refilled"] == 1 and s["points_given"] == 100


def test_a_long_session_refills_mid_zone_and_gives_every_point():
    # Zones of a full nominal fill each from a 1 mL syringe: every refill falls mid-zone.
    p = proto(1, [(400, 2.5)] * 3)
    s = check_never_dry(p, 1)
    assert s["syringes_refilled"] == 3 and s["points_given"] == 1200


def test_a_perfusion_that_would_outrun_its_fill_comes_out_and_asks_before_the_next_bolus():
    p = proto(1, [])
    p["zone"] = [{"name": "f", "mode": "perfusion", "points": 50, "depth_mm": 1.5,
                  "dose_ul": 20, "bolus_every_s": 1, "flow_ul_s": 40}]
    s = check_never_dry(p, 0)
    assert s["syringes_refilled"] == 1 and s["points_given"] == 50


def test_priming_a_fresh_syringe_is_not_counted_as_the_last_shots_drip():
    # A water line is too fast to hold: priming drains it to zero in air (70 µL on a 3 mL
    # syringe). The refill's priming was counted as the drip of the old syringe's last shot
    # (70.2 µL, seed 1): the refill's command started it before any poll saw the state.
    rep = Run(proto(3, [(100, 30)]), seed=1).run()
    s = rep["summary"]
    assert s["syringes_refilled"] == 1
    assert max(r["drip_ul"] for r in rep["shots"]) < 0.1
    # Both fills' primings, and nothing else outside the skin.
    assert s["priming_ul_total"] > 1.9 * s["drip_ul_before_first_shot"] > 0
    assert abs(s["drip_ul_total"] - s["priming_ul_total"]) < 0.1
