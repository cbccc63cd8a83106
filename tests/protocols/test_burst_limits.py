"""The burst rate the validator allows is what the syringe and the shot's own moves allow,
and its message says which limit it is and what the shot is made of."""

from firmware import limits
from firmware.board import by_name

BOARD = by_name("sim")


def proto(ml, gauge, mpas, dose_ul, rate, **zone):
    z = {"name": "glide", "mode": "burst", "points": 40, "depth_mm": 1.0, "dose_ul": dose_ul,
         "rate_per_min": rate}
    z.update(zone)
    return {"protocol": {"name": "b", "syringe_ml": ml, "needle_mm": 4, "needle_gauge": gauge,
                         "viscosity_mpas": mpas}, "zone": [z]}


def top(pr):
    """The upper end of a problem's allowed range, "1..N shots/min"."""
    return int(pr.allowed.split("..")[1].split()[0])


def rate_problem(p, held=True):
    got = [x for x in limits.check_protocol(BOARD, p, held) if x.key == "rate_per_min"]
    return got[0] if got else None


def test_the_syringe_cap_binds_and_the_message_gives_the_shot_time_too():
    # A light fluid, shallow: the shot (held on the line pressure) is quicker than the cap.
    pr = rate_problem(proto(1, 32, 2, 2, 600, depth_mm=0.5))
    assert top(pr) == 150
    msg = pr.message()
    assert "1 mL syringe" in msg and "one shot takes" in msg
    assert "until the line pressure is back at 100 kPa" in msg, msg


def test_the_shot_time_binds_and_the_message_breaks_it_down():
    pr = rate_problem(proto(3, 32, 2, 10, 250))
    hi = top(pr)
    assert hi < 250
    assert "one shot takes" in pr.message() and "the syringe's cap: 250" in pr.message()
    assert "needle in and out" in pr.message() and "dose" in pr.message()
    assert "take-up" in pr.message() and "relief" in pr.message()
    # A gun that holds on the line pressure waits for it, whatever dwell the zone gives.
    assert top(rate_problem(proto(3, 32, 2, 10, 300, hold_ms=0))) == hi
    # One that does not (naive dosing) dwells the zone's hold: with none the limit rises;
    # what is left is the needle's moves, the relief and the dose at the zone's flow.
    dwell = rate_problem(proto(3, 32, 2, 10, 300), held=False)
    bare = rate_problem(proto(3, 32, 2, 10, 300, hold_ms=0), held=False)
    assert top(bare) > top(dwell) and "hold 0" in bare.message()
    assert "hold 150" in dwell.message() and top(dwell) > hi
