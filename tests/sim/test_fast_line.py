"""A line too fast to hold on the pressure (water through 30 G, tau = R·C about 0.1 s):
priming measures C and tau against the plant's truth, and every point gets its dose
whatever its tissue's back-pressure (firmware/settle.py)."""

from sim.run import Run


def water(syringe_ml, points, dose_ul):
    return {"protocol": {"name": "water", "syringe_ml": syringe_ml, "needle_mm": 4,
                         "needle_gauge": 30, "viscosity_mpas": 1},
            "zone": [{"name": "z", "mode": "point", "points": points, "depth_mm": 1.0,
                      "dose_ul": dose_ul, "pace_ms": 2500, "flow_ul_s": 60}]}


def test_priming_measures_the_fast_lines_compliance_and_time_constant():
    for seed in (0, 1):
        run = Run(water(3, 12, 30), seed=seed)
        rep = run.run()
        ref = run.fw.fw.app.machine.dosing.ref
        pl = run.world.plunger
        assert ref.fast and not ref.ok, seed
        # C net of what the needle let out during the push (the raw sweep over the rise
        # reads half as much again on this line).
        assert abs(ref.c_nl_kpa / 1000 / pl.c - 1) < 0.05, (seed, ref.c_nl_kpa, pl.c)
        assert abs(ref.tau_us / 1e6 / pl.tau - 1) < 0.1, (seed, ref.tau_us, pl.tau)
        tissue = [ins["tissue_kpa"] for ins in run.world.insertions]
        assert max(tissue) - min(tissue) > 5  # C·that is µL: the points differ
        for r in rep["shots"]:
            assert abs(r["delivered_ul"] - 30) < 0.6, (seed, r)  # 2 %
            assert r["drip_ul"] < 0.1, (seed, r)


def test_a_line_the_plunger_cannot_charge_is_not_dosed_on_a_guess():
    # Water through 25 G passes about 9 mL/s at 100 kPa: the push at full speed never brings
    # the 1 mL syringe's line to the reference, so there is nothing to measure it by.
    p = water(1, 3, 10)
    p["protocol"]["needle_gauge"] = 25
    rep = Run(p, seed=0).run(limit_s=20)
    assert rep["faults"] and all(f["code"] == "limit" and f["state"] == "prime"
                                 for f in rep["faults"]), rep["faults"]
    assert rep["shots"] == [] and rep["summary"]["delivered_ul_total"] == 0.0


def test_whether_a_line_is_fast_does_not_hang_on_how_long_a_poll_takes():
    # Water from 3 mL through 30 G at the plant's centres: tau about 0.15 s, under the 0.2 s
    # that makes a line fast. The first 3 kPa of its fall in air take about 5 ms, a few
    # polls of an RP2040 with a move running; timed over so few, the decision moved with
    # the poll's cost (a fast line taken for a held one, its hold unable to time its end).
    centre = {"viscosity_tol_pct": 0.0, "needle_id_tol_pct": 0.0, "needle_hub_tol_mm": 0.0,
              "bore_tol_pct": 0.0, "stopper_brand": "standard", "tissue_sigma": 0.0,
              "glide_sd_pct": 0.0}
    p = water(3, 2, 30)
    for scale in (0.0, 0.5, 1.0, 1.5, 2.0):
        run = Run(p, seed=1, params=dict(centre, compute_scale=scale))
        rep = run.run()
        ref = run.fw.fw.app.machine.dosing.ref
        assert run.world.plunger.tau < 0.2 and rep["faults"] == []
        assert ref.fast and not ref.ok, (scale, ref.us_per_kpa)
