"""The firmware's dose model (integers) against the simulator's float physics, and the
compensation measured on the simulated plant."""

import math
import os
import tomllib

from firmware import board as boards
from firmware import dosing, limits
from firmware.dosing import COMPENSATED, NAIVE, Dosing, Line
from firmware.units import exp_neg_ppm
from host import protocol
from sim.params import BRANDS, needle_resistance_kpa_s_ul
from sim.run import Run

DATA = os.path.join(os.path.dirname(__file__), "data")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def example(name):
    """An example protocol in its core form."""
    return protocol.load(os.path.join(ROOT, "examples", name)).core()


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


def _burst_errors_pct(seed):
    proto = example("burst.toml")
    rep = Run(proto, seed=seed, dosing="compensated").run()
    good = [s for s in rep["shots"] if s["fault"] is None]
    assert len(good) == 60 and rep["faults"] == []
    return [abs(s["delivered_ul"] - s["commanded_ul"]) / s["commanded_ul"] * 100 for s in good]


def test_burst_shots_on_a_line_near_the_fast_bound_get_their_dose():
    # A 3 mL syringe through 32 G with a light fluid: tau = R·C of 0.6-0.9 s, so the relief
    # lets out about a fifth of a 10 µL dose into the skin, more where the skin presses
    # back less, and the hold must end that much above the reference. The dose used to end
    # below that level (swept at 1.3 times the needle's flow it barely lifted the line) and
    # the hold timed its end on rates taken over one interval between polls: shots
    # alternated 10-20 % over and under (p99 20 %, 9 % and 14 % on these seeds).
    for seed in (1, 4, 5):
        errors = sorted(_burst_errors_pct(seed))
        assert errors[int(0.99 * len(errors))] <= 5.0, (seed, errors[-5:])
        assert sum(errors) / len(errors) <= 1.5, seed


def test_a_short_dose_on_a_compliant_line_sweeps_faster_and_a_long_one_does_not():
    from firmware import line

    charge_nl = 47000  # a 3 mL syringe's C (470 nL/kPa) at hold_kpa
    lift = 3 * 3000 + 2000  # a relief letting out 3 kPa: tau under a second
    short = line.sweep_pct(charge_nl, 10000, lift)
    assert 170 <= short < line.SWEEP_MAX_PCT
    # What it gives: hold_kpa·(k - 1)·(1 - e^(-dose / (k·charge))) >= lift.
    k = short / 100
    assert 100 * (k - 1) * (1 - math.exp(-10000 / (k * charge_nl))) >= lift / 1000 - 0.1
    k = (short - 10) / 100
    assert 100 * (k - 1) * (1 - math.exp(-10000 / (k * charge_nl))) < lift / 1000
    # A dose large against the charge climbs enough at the base share: no faster, no leak.
    assert line.sweep_pct(charge_nl, 200000, lift) == line.SWEEP_PCT
    # Short of the margin even at the most: the most while that still lifts the line over
    # the hold's end level, else (a dose too small against the charge) the base share.
    assert line.sweep_pct(charge_nl, 10000, 20000, 3000 + 2000) == line.SWEEP_MAX_PCT
    assert line.sweep_pct(charge_nl, 1000, lift, 3000 + 2000) == line.SWEEP_PCT
    # A slow line's relief lets out little: its 10 µL keeps the base share.
    assert line.sweep_pct(charge_nl, 10000, 600 + 2000) == line.SWEEP_PCT


def test_a_gel_found_by_the_drain_is_held_with_the_compliance_of_its_push():
    # A soft-stopper 1 mL syringe with a thinner HA gel: priming's fall in air is as fast
    # as a fast line's, so it drains to time tau, and the gel's flow dies away at low
    # pressure: held on the reference after all. Its C (less the push's outflow) used the
    # fall's rate at the reading where the drain stopped (4 kPa) instead of where the fall
    # was timed (near 100 kPa): C a tenth of the true one, the doses swept that much too
    # slowly to lift the line to the reference, shots 5-9 % off.
    proto = example("booster_ha.toml")
    rep = Run(proto, seed=1, dosing="compensated",
              params={"fluid_n": 0.45, "compliance_scale": 0.5, "viscosity_scale": 0.7}).run()
    good = [s for s in rep["shots"] if s["fault"] is None]
    assert len(good) == 40
    worst = max(abs(s["delivered_ul"] - s["commanded_ul"]) / s["commanded_ul"] for s in good)
    assert worst <= 0.03, worst


def test_the_first_shot_of_a_syringe_counts_the_primings_relief_from_where_it_starts():
    # Priming stops its push at 100 kPa and times a 3 kPa fall in air: the relief that
    # follows starts at about 96.5 kPa. Its let-out in air (counted as given, as a hold's
    # is) was worked out as from 100 kPa at the fall there: 4-20 % too much on the burst
    # example's line, so every first shot came out long (+1.47 % on average over seeds
    # 1-20, up to +7.6 %).
    first = []
    for seed in range(1, 21):
        proto = example("burst.toml")
        shot = Run(proto, seed=seed, dosing="compensated").run()["shots"][0]
        first.append((shot["delivered_ul"] - shot["commanded_ul"]) / shot["commanded_ul"])
    assert abs(sum(first) / len(first)) <= 0.01, first
    assert max(abs(e) for e in first) <= 0.06, first


def test_air_in_a_soft_syringe_does_not_push_the_dose_into_a_leak_back_along_the_needle():
    # A 1 mL syringe twice as soft as its brand with 5 µL of air in the fill: at low
    # pressure the air is most of the line's compliance. The needle's flow at 100 kPa was
    # taken as the push's mean C (20-100 kPa) times the fall's rate, a fifth too much: the
    # doses swept at 1.3 times that climbed past the leak along the needle (0.18 µL outside
    # the skin a shot, 1 % short). C from the push's top part (60-100 kPa) gives it.
    proto = example("hands.toml")
    rep = Run(proto, seed=3, dosing="compensated",
              params={"compliance_scale": 0.5, "air_ul": 5.0}).run()
    assert rep["faults"] == []
    assert max(s["drip_ul"] for s in rep["shots"]) <= 0.02
    mean = sum(s["delivered_ul"] - s["commanded_ul"] for s in rep["shots"]) / len(rep["shots"])
    assert abs(mean) <= 0.1, mean


def test_the_next_protocol_with_another_needle_or_fluid_primes_again():
    # The next protocol on the same syringe took over the reference whatever its needle and
    # fluid: a new needle is fitted dry, and the flow and fall in air priming measured were
    # the old needle's. Only the same needle and fluid keep them; another primes again.
    proto = example("burst.toml")
    run = Run(proto, seed=1, dosing="compensated")
    run.run()
    m = run.fw.app.machine
    old = m.dosing
    assert old.ref.ok and not old.ref.due
    fluid = limits.fluid_of(m.board, proto["protocol"])
    for other, due in ((fluid, False), ((30,) + fluid[1:], True),
                       (fluid[:2] + (5 * fluid[2],), True)):
        new = Dosing(m.board, m.session.syringe, COMPENSATED, fluid=other)
        new.follow(old, m.session.syringe_nl)
        assert new.ref.due == due, other
        assert new.ref.ok  # the reference state is the syringe's: kept until primed again


def test_the_shot_time_estimate_sweeps_a_dose_as_the_gun_does_on_the_nominal_line():
    # The estimate's sweep share (line.nominal_sweep_pct, firmware/shottime.py) counted no
    # backlash in the relief's let-out, which the gun's own share (Reference.sweep_pct)
    # does: on the burst example's line the estimate swept its 10 µL slower than the gun.
    from firmware import line

    b = boards.by_name("pico")
    d = Dosing(b, b.syringe(3), COMPENSATED, fluid=(32, 4000, 2000))
    ref = d.ref
    ref.air_us_per_kpa = d.line.tau_us() // line.HOLD_KPA  # what priming measures there
    ref.steps_w = d.scale.steps(ref.c_nl_kpa * line.HOLD_KPA)
    for dose_nl in (2000, 5000, 10000, 20000, 50000):
        assert line.nominal_sweep_pct(b.plunger, ref.c_nl_kpa, ref.steps_w, ref.air_us_per_kpa,
                                      dose_nl) == ref.sweep_pct(dose_nl), dose_nl
