"""Loading protocols: refused whole on any broken limit, counters exact over long sessions."""

from rig import Rig, burst_zone, point_zone, protocol

from firmware import board as boards
from firmware import hal as H
from firmware import limits, shotlog
from firmware.dosing import COMPENSATED, NAIVE, Dosing
from firmware.hal import BACKWARD, FORWARD
from firmware.session import CHECK_OK, CHECK_SYRINGE, Session


def keys(problems):
    return [(p.zone, p.key) for p in problems]


def test_bad_protocol_is_refused_whole():
    s = Session(boards.by_name("sim"))
    good = protocol([point_zone("a")])
    assert s.load(good) == []
    bad = protocol([point_zone("b", depth_mm=5.0), point_zone("b")])
    problems = s.load(bad)
    assert (0, "depth_mm") in keys(problems)
    assert (1, "name") in keys(problems)
    # The session still holds the good protocol, untouched.
    assert [z.name for z in s.zones] == ["a"]


def test_problem_messages_name_value_range_and_reason():
    b = boards.by_name("sim")
    problems = limits.check_protocol(b, protocol([point_zone(depth_mm=6.5)]))
    text = problems[0].message()
    assert "zone[0].depth_mm" in text and "6.5" in text and "0.1..4 mm" in text
    assert "needle" in text
    problems = limits.check_protocol(b, protocol([point_zone()], syringe_ml=2))
    assert "1, 3, 5, 10 mL" in problems[0].message()


def test_every_mode_loads_and_a_continuous_pass_is_its_flow_for_its_duration():
    s = Session(boards.by_name("sim"))
    perf = {"name": "p", "mode": "perfusion", "points": 3, "depth_mm": 1.0, "dose_ul": 10,
            "bolus_every_s": 5}
    cont = {"name": "c", "mode": "continuous", "points": 2, "depth_mm": 1.0, "dose_ul": 10,
            "flow_ul_s": 2, "duration_s": 30}
    assert s.load(protocol([perf, cont])) == []
    assert s.zones[0].bolus_every_ms == 5000
    assert s.zones[1].dose_nl == 60000


def test_limits_are_checked_again_before_each_shot():
    b = boards.by_name("sim")
    s = Session(b)
    assert s.load(protocol([point_zone(points=200, dose_ul=20, pace_ms=2000)],
                           syringe_ml=1)) == []
    zone = s.zone()
    for _ in range(50):
        assert s.check_shot(zone) == CHECK_OK
        s.shot_done(zone)
    assert s.check_shot(zone) == CHECK_SYRINGE  # 1 mL gone after 50 shots of 20 µL
    s.refilled()
    assert s.check_shot(zone) == CHECK_OK


def test_no_drift_over_a_500_shot_session():
    # 500 shots of 13.3 µL: each shot's step count is rounded, the total never drifts.
    b = boards.by_name("sim")
    syringe = b.syringe(10)
    d = Dosing(b, syringe, COMPENSATED)
    relief = d.relief_steps
    motor = 0
    for shot in range(1, 501):
        steps = d.dose_steps(shot * 13300)
        d.moved(FORWARD, steps)
        motor += steps
        d.moved(BACKWARD, relief)
        motor -= relief
    # The stopper stands where 500 x 13.3 µL puts it, to the step.
    assert d.stopper + relief - min(relief, d.backlash) == d.scale.steps(500 * 13300)
    assert d.scale.nl(d.scale.steps(6650000)) - 6650000 < 10


def test_backlash_opens_on_reversal_and_is_taken_up_first():
    b = boards.by_name("sim")
    comp = Dosing(b, b.syringe(1), COMPENSATED)
    naive = Dosing(b, b.syringe(1), NAIVE)
    lash = b.plunger.backlash_steps
    for d in (comp, naive):
        d.moved(FORWARD, d.dose_steps(20000))
    s1 = comp.stopper
    # A back-off shorter than the backlash moves the motor only: the stopper stays put.
    comp.moved(BACKWARD, lash // 2)
    naive.moved(BACKWARD, lash // 2)
    assert comp.stopper == s1 and comp.slack == lash // 2
    assert naive.stopper == s1 - lash // 2
    # The next dose first takes the open slack up, so both end at the same stopper target.
    comp.moved(FORWARD, comp.dose_steps(40000))
    assert comp.stopper == comp.scale.steps(40000) and comp.slack == 0


def test_whole_session_on_the_rig_matches_the_protocol():
    proto = protocol([point_zone("a", points=4), burst_zone("b", points=6)])
    rig = Rig(proto)
    rig.arm()
    for _ in range(4):
        rig.pull()
        rig.run_until("armed")
    rig.touch(True)
    rig.trigger(True)
    rig.run_until("done")
    st = rig.app.status()
    assert st["shots"] == 10
    assert st["total_nl"] == 4 * 20000 + 6 * 10000


def test_a_second_protocol_runs_after_the_first_is_done():
    rig = Rig(protocol([point_zone("a", points=1)]))
    rig.arm()
    rig.pull()
    rig.run_until("done")
    assert rig.app.load_protocol(protocol([point_zone("b", points=2)])) == []
    rig.arm()
    rig.pull()
    rig.run_until("armed")
    st = rig.app.status()
    assert st["shots"] == 1 and st["total_nl"] == 20000
    rig.run_for(100000)
    recs = shotlog.read_journal(rig.hal.files["shots.log"])
    assert [abs(r["delivered_nl"] - 20000) < 50 for r in recs] == [True, True]


def plunger_after(protocols):
    """The plunger motor's position once each protocol in turn has run to its end."""
    rig = Rig()
    for proto in protocols:
        assert rig.app.load_protocol(proto) == []
        rig.arm()
        points = sum(z["points"] for z in proto["zone"])
        for i in range(points):
            rig.pull()
            rig.run_until("armed" if i < points - 1 else "done")
        rig.run_for(100000)
    return rig, rig.hal.motor_position(H.AXIS_PLUNGER)


def test_the_next_protocol_on_the_same_syringe_doses_as_if_the_session_went_on():
    # Protocol b starts with the plunger backed off by a's last relief: its first shot
    # must take that up, not come out short by it.
    one, at = plunger_after([protocol([point_zone("a", points=3)])])
    two, at2 = plunger_after([protocol([point_zone("a", points=2)]),
                              protocol([point_zone("b", points=1)])])
    assert abs(at2 - at) <= 2, (at, at2)
    assert two.app.session.syringe_nl == 3 * 20000  # and the syringe's fill is still counted
    # A protocol for another syringe size means another syringe: its count starts again.
    three, _ = plunger_after([protocol([point_zone("a", points=1)]),
                              protocol([point_zone("b", points=1, pace_ms=2000)],
                                       syringe_ml=1)])
    assert three.app.session.syringe_nl == 20000
