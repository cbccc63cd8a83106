"""A continuous pass on a line held on its pressure (firmware/line.py's plan_pass), on the
core rig: the reading stands where the test puts it."""

from rig import held_line, pass_zone, protocol

from firmware import hal as H


def primed(q_w_nl_s):
    """Armed on a held line with the needle's flow and the fall in air that priming would
    have timed, the pass planned on them."""
    rig = held_line(protocol([pass_zone()]), q_w_nl_s=q_w_nl_s, air_us_per_kpa=19000)
    return rig, rig.app.machine.dosing.ref


def forward_travel(rig, until):
    start = rig.hal.motor_position(H.AXIS_PLUNGER)
    most = start
    while rig.state() != until:
        rig.step(1000)
        pos = rig.hal.motor_position(H.AXIS_PLUNGER)
        most = max(most, pos)
    return most - start


def test_a_pass_whose_reading_is_lost_sweeps_no_more_than_its_volume():
    # A needle passing little at 100 kPa against the zone's flow: the take-up aims high
    # (15 kPa + R·Q, over 60 kPa), so the pass's move, planned C·40 kPa long for a tissue
    # pressing back hard, runs past the pass's volume. With no reading to count on, the
    # sweep stops by the volume; it used to run the whole move.
    rig, ref = primed(6000)
    rig.trigger(True)
    rig.run_until("dose")
    assert ref.passing and ref.pass_aim_kpa > 60
    rig.hal.kpa = H.NO_PRESSURE
    travel = forward_travel(rig, "pace")
    d = rig.app.machine.dosing
    assert travel <= ref.pass_take + d.scale.steps(ref.pass_nl), (travel, ref.pass_take)
    assert rig.app.session.shots == 1


def test_a_pass_let_go_mid_sweep_gives_what_was_swept():
    # Letting go ends the pass: its count keeps what was swept, not the zone's volume, so
    # the hold after it gives back only what the line holds more than at the take-up's end.
    rig, ref = primed(24000)
    rig.trigger(True)
    rig.run_until("dose")
    rig.run_for(300000)
    rig.trigger(False)
    rig.run_until("hold")
    # About 0.3 s at 4 µL/s after the take-up; the zone's pass is 4 µL.
    assert 500 < ref.pass_nl < 1500, ref.pass_nl
    rig.hal.kpa = 20  # the line falls at once to under the level: the hold ends
    rig.run_until("pace", limit_us=10000000)
    assert rig.app.session.shots == 1  # the pass counts as given
    assert ref.due  # and the line is primed again
