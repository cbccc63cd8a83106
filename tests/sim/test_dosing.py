"""The firmware's dose model (integers) against the simulator's float physics, and the
compensation measured on the simulated plant."""

import math
import os
import tomllib

from firmware import board as boards
from firmware import dosing
from firmware.dosing import COMPENSATED, NAIVE, Dosing, Line, exp_neg_ppm
from sim.params import BRANDS, needle_resistance_kpa_s_ul
from sim.run import Run

DATA = os.path.join(os.path.dirname(__file__), "data")


def test_exp_in_integers_follows_math_exp():
    for x in (0.0, 0.01, 0.3, 1.0, 1.5, 4.0, 12.0):
        got = exp_neg_ppm(int(x * 1000), 1000) / 1e6
        assert abs(got - math.exp(-x)) < 1e-4 + 1e-3 * math.exp(-x)


def test_line_model_resistance_is_hagen_poiseuille_in_integers():
    # The same law as the plant's (sim/params.py) for the same geometry: physics, not a
    # lock on the plant's figures (the plant draws its own bore, hub and fluid).
    b = boards.by_name("sim")
    syringe = b.syringe(3)
    for gauge, mm, visc in ((32, 4, 20), (30, 13, 100), (27, 6, 1)):
        line = Line(syringe, gauge, mm * 1000, visc * 1000)
        r = needle_resistance_kpa_s_ul(gauge, mm + dosing.HUB_UM / 1000, visc)
        assert abs(line.r_num / line.r_den - r) < 1e-3 * r
        assert abs(line.pressure_kpa(10000) - 10 * r) <= 1


def test_firmware_nominal_compliance_is_not_the_plants_centre():
    # The gun knows a maker's rounded figure; the plant draws around published centres.
    b = boards.by_name("sim")
    for ml in (1, 3, 5, 10):
        nominal = dosing.compliance_nl_bar(b.syringe(ml)) / 1000
        assert nominal != BRANDS["standard"][ml]
        assert 0.5 < nominal / BRANDS["standard"][ml] < 2.0


def test_safe_flow_keeps_the_line_under_half_the_occlusion_limit():
    b = boards.by_name("sim")
    line = Line(b.syringe(3), 32, 4000, 20000)
    flow = dosing.safe_flow_nl_s(b, line)
    kpa = line.pressure_kpa(flow) + dosing.STICTION_KPA + dosing.TISSUE_KPA
    assert b.pressure_max_kpa * 0.45 <= kpa <= b.pressure_max_kpa * 0.5


def test_compensated_primes_the_first_dose_and_naive_does_not():
    b = boards.by_name("sim")
    fluid = (32, 4000, 20000)
    comp = Dosing(b, b.syringe(3), COMPENSATED, fluid=fluid)
    naive = Dosing(b, b.syringe(3), NAIVE, fluid=fluid)
    assert comp.prime_nl > 0 and naive.prime_nl == 0
    assert comp.dose_steps(10000) - naive.dose_steps(10000) == comp.scale.steps(
        10000 + comp.prime_nl) - comp.scale.steps(10000)


def test_rebase_after_a_cut_dose_gives_the_next_dose_only():
    b = boards.by_name("sim")
    d = Dosing(b, b.syringe(3), COMPENSATED, fluid=(32, 4000, 20000))
    d.moved(1, d.dose_steps(10000))
    d.moved(1, d.dose_steps(20000) // 3)  # the second dose is cut by a fault
    d.rebase(20000)
    full = d.scale.steps(10000)
    assert abs(d.dose_steps(30000) - full) <= 1


def test_compensation_beats_naive_on_the_same_seed():
    with open(os.path.join(DATA, "short.toml"), "rb") as f:
        proto = tomllib.load(f)
    naive = Run(proto, seed=3, dosing="naive").run()["summary"]
    comp = Run(proto, seed=3, dosing="compensated").run()["summary"]
    assert comp["dose_error_pct_p99_abs"] < naive["dose_error_pct_p99_abs"]
    assert abs(comp["dose_error_pct_mean"]) <= 0.5 and comp["dose_error_pct_p99_abs"] <= 2.0
