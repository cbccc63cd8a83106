"""firmware.units: exact integer conversions, the same under CPython and MicroPython."""

from check import raises, scaled

from firmware import board, units

PI = 3.141592653589793


def pico():
    return board.by_name("pico")


def ideal_steps(nl, bore_um, steps_per_mm):
    # Swept length = volume / bore area; in floats, only as a cross-check of the integers.
    return nl * 4000 * steps_per_mm / (PI * bore_um * bore_um)


def test_whole_rounds_halves_up():
    assert units.whole(2.5) == 3
    assert units.whole(2.4999) == 2
    assert units.whole(-2.5) == -3
    assert units.whole(7) == 7


def test_milli_is_exact_for_board_decimals():
    # 4.78 * 1000 is 4779.999... in binary floating point: milli must still give 4780.
    assert units.milli(4.78) == 4780
    assert units.milli(1.005) == 1005
    assert units.milli(0.1) == 100
    assert units.milli(14.5) == 14500
    assert units.milli(3) == 3000


def test_div_round_halves_away_from_zero():
    assert units.div_round(5, 2) == 3
    assert units.div_round(-5, 2) == -3
    assert units.div_round(7, 3) == 2
    assert units.div_round(-7, 3) == -2
    assert units.div_round(8, 3) == 3
    assert units.div_round(0, 9) == 0


def test_plunger_steps_match_the_bore_geometry():
    b = pico()
    for syringe in b.syringes:
        scale = units.PlungerScale(b.plunger, syringe.bore_um)
        for nl in (1, 999, 1000, 20000, 100000, 500000):
            want = ideal_steps(nl, syringe.bore_um, 3200)
            got = scale.steps(nl)
            assert abs(got - want) <= 0.5 + 1e-6, (syringe.bore_um, nl, got, want)
    # 1 µL in a 1 mL syringe (4.78 mm bore) is 0.0557 mm, 178.3 µsteps at 3200 µsteps/mm.
    assert units.PlungerScale(b.plunger, 4780).steps(1000) == 178


def test_steps_round_trip_through_volume():
    b = pico()
    scale = units.PlungerScale(b.plunger, b.syringe(1).bore_um)
    # One step sweeps ~5.6 nL, more than the 1 nL resolution: steps -> nL -> steps is exact.
    for steps in range(0, scaled(20000, 3000), 7):
        assert scale.steps(scale.nl(steps)) == steps, steps


def test_no_drift_over_a_500_shot_session():
    b = pico()
    scale = units.PlungerScale(b.plunger, b.syringe(1).bore_um)
    dose_nl = 20000
    done_steps = 0
    naive_steps = 0
    for shot in range(1, 501):
        # Each shot moves to the step of the running total, so rounding never accumulates.
        shot_steps = scale.steps(shot * dose_nl) - done_steps
        assert abs(shot_steps - ideal_steps(dose_nl, 4780, 3200)) < 1
        done_steps += shot_steps
        naive_steps += scale.steps(dose_nl)
    exact = ideal_steps(500 * dose_nl, 4780, 3200)
    assert abs(done_steps - exact) <= 0.5
    # Per-shot rounding would have lost >200 steps (>1 µL): the session exercises rounding.
    assert exact - naive_steps > 200


def test_calibration_scales_steps_in_ppm():
    b = pico()
    nominal = units.PlungerScale(b.plunger, 8660)
    plus_1pc = units.PlungerScale(b.plunger, 8660, cal_ppm=1010000)
    n = nominal.steps(1000000)
    assert plus_1pc.steps(1000000) == units.div_round(n * 101, 100)
    assert plus_1pc.rate_sps(1) == 1  # a tiny flow still moves


def test_axis_mm_to_steps_is_exact_for_any_lead():
    b = pico()
    assert b.carriage.um_to_steps(1000) == 3200
    assert b.carriage.steps_to_um(3200) == 1000
    assert b.carriage.um_to_steps(4000) == 12800
    data = dict(b.data["carriage"])
    data["lead_mm"] = 1.5
    axis = board.Axis(data)
    # 3200 µsteps per 1.5 mm: 1.5 mm is exactly one turn, 1 µm is 2.133 µsteps.
    assert axis.um_to_steps(1500) == 3200
    assert axis.um_to_steps(1) == 2
    assert axis.steps_to_um(3200) == 1500


def test_check_raises_reports_a_missing_exception():
    e = raises(ZeroDivisionError, units.div_round, 1, 0)
    assert isinstance(e, ZeroDivisionError)
    e = raises(AssertionError, raises, ValueError, units.whole, 1.5)
    assert "ValueError" in str(e)
