"""Burst zones: the simulated practitioner holds the trigger and the gun fires at the rate."""

from sim.run import Run as _Run

# Timing is these tests' subject: they dose naive (the board's fixed hold), as the core's
# burst-timing tests do; a compensated dose on a compliant syringe holds on the pressure,
# and its own time sets the rate (docs/SIMULATION.md, the dosing table's burst row).


def Run(proto, seed=0, **kw):
    return _Run(proto, seed=seed, dosing="naive", **kw)

HEAD = {"name": "burst", "syringe_ml": 3, "needle_mm": 4, "needle_gauge": 30,
        "viscosity_mpas": 1}


def burst(rate_per_min, points=12):
    return {"protocol": dict(HEAD), "zone": [
        {"name": "dots", "mode": "point", "points": 2, "depth_mm": 1.0, "dose_ul": 2,
         "pace_ms": 1500, "flow_ul_s": 20},
        {"name": "glide", "mode": "burst", "points": points, "depth_mm": 1.0, "dose_ul": 2,
         "rate_per_min": rate_per_min, "flow_ul_s": 20},
        {"name": "after", "mode": "point", "points": 2, "depth_mm": 1.0, "dose_ul": 2,
         "pace_ms": 1500, "flow_ul_s": 20},
    ]}


def test_the_practitioner_holds_the_trigger_through_a_burst_zone_at_its_rate():
    rep = Run(burst(90), seed=4).run()
    s = rep["summary"]
    assert s["points_given"] == 16 and rep["faults"] == []
    # One press for the whole zone: its shots follow at the rate (a press per shot, with a
    # move and a reaction between, gives far fewer).
    assert 0.98 * 90 <= s["burst_per_min"] <= 90.5
    glide = [x["t_start_s"] for x in rep["shots"] if x["zone"] == 1]
    gaps = [b - a for a, b in zip(glide, glide[1:])]
    assert max(gaps) < 60.0 / 90 * 1.05
    # And it lets go when the zone is done: the next zone's shots are paced point shots.
    after = [x["t_start_s"] for x in rep["shots"] if x["zone"] == 2]
    assert after[0] - glide[-1] > 60.0 / 90 and after[1] - after[0] >= 1.5


def test_a_point_session_reports_no_burst_rate():
    rep = Run(burst(90), seed=4).run()
    assert rep["summary"]["burst_per_min"] is not None
    proto = burst(90)
    proto["zone"] = [proto["zone"][0]]
    assert Run(proto, seed=4).run()["summary"]["burst_per_min"] is None


def test_slow_code_between_burst_shots_lowers_the_burst_rate():
    # A burst's shots repeat one dose, so its move is planned once (the Move keeps it); the
    # MCU's time between shots is the main loop's polls. Code sixty times slower than the
    # model's (a poll with a move running ~0.1 s) no longer fits in what the pace leaves, and
    # the shots follow as it allows.
    free = Run(burst(90), seed=4, params={"compute_scale": 0.0}).run()["summary"]
    slow = Run(burst(90), seed=4, params={"compute_scale": 60.0}).run()["summary"]
    assert free["burst_per_min"] > 89.0
    assert slow["burst_per_min"] < 80.0 and slow["points_given"] == 16
