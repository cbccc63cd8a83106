"""The shot state machine on the fake HAL: whole shots, faults, the safe state, latching."""

from rig import Rig, burst_zone, point_zone, protocol

from firmware import dosing, shotlog
from firmware import hal as H
from firmware.wire import faults

WRAP_SOON = (1 << 30) - 300000  # the clock wraps 0.3 s into the test


def journal(rig):
    return shotlog.read_journal(rig.hal.files.get("shots.log", b""))


def test_point_shots_across_the_tick_wrap():
    rig = Rig(protocol([point_zone(points=3, pace_ms=800)]), start_us=WRAP_SOON)
    rig.arm()
    for _ in range(3):
        rig.pull()
        rig.run_until("armed" if rig.app.session.shots < 2 else "done")
    rig.run_for(50000)
    recs = journal(rig)
    assert [r["index"] for r in recs] == [0, 1, 2]
    assert all(r["fault"] == 0 for r in recs)
    assert all(r["commanded_nl"] == 20000 for r in recs)
    # Pacing: shot starts at least pace_ms apart.
    for a, b in zip(recs, recs[1:]):
        assert b["t_start_ms"] - a["t_start_ms"] >= 800
    # The needle is home, the plunger advanced by the three doses.
    assert rig.hal.motor_position(H.AXIS_CARRIAGE) == 0
    assert rig.app.status()["total_nl"] == 60000


def test_shot_sequence_of_states():
    rig = Rig(protocol())
    rig.arm()
    rig.touch(True)
    rig.run_for(30000)
    rig.trigger(True)
    seen = []
    for _ in range(5000):
        rig.step()
        if not seen or seen[-1] != rig.state():
            seen.append(rig.state())
        if rig.state() == "pace":
            break
    assert seen == ["armed", "advance", "dose", "hold", "relief", "retract", "pace"], seen


def test_no_shot_without_skin_contact():
    rig = Rig(protocol())
    rig.arm()
    homing_moves = rig.hal.moves[H.AXIS_CARRIAGE]
    rig.touch(False)
    rig.trigger(True)
    rig.run_for(200000)
    assert rig.state() == "armed"
    assert rig.hal.moves[H.AXIS_CARRIAGE] == homing_moves
    assert rig.app.session.shots == 0


def run_to(rig, state):
    rig.arm()
    rig.touch(True)
    rig.run_for(30000)
    rig.trigger(True)
    rig.run_until(state, max_us=200)


def test_contact_lost_mid_dose_goes_to_the_safe_state_and_latches():
    rig = Rig(protocol())
    run_to(rig, "dose")
    rig.run_for(3000, max_us=200)
    rig.touch(False)
    rig.trigger(False)
    rig.run_until("fault")
    m = rig.app.machine
    assert m.fault == faults.CONTACT_LOST
    assert rig.hal.outputs[H.OUT_ALARM]
    assert rig.hal.motor_position(H.AXIS_CARRIAGE) == 0  # needle retracted
    assert rig.hal.dirs[H.AXIS_PLUNGER] == H.BACKWARD  # pressure relieved
    rig.run_for(100000)
    rec = journal(rig)[-1]
    assert rec["fault"] == faults.CONTACT_LOST
    assert 0 < rec["delivered_nl"] < 20000  # a partial dose, logged as such
    # Latched: no shot while the fault stands, even with contact and trigger.
    moves = rig.hal.moves[H.AXIS_CARRIAGE]
    rig.pull()
    rig.run_for(300000)
    assert rig.state() == "fault"
    assert rig.hal.moves[H.AXIS_CARRIAGE] == moves
    # Acknowledged: the carriage homes and the gun arms again.
    assert rig.app.ack_fault()
    rig.run_until("armed")
    assert not rig.hal.outputs[H.OUT_ALARM]


def test_each_fault_input_trips_its_code():
    cases = (
        ("dose", H.IN_STALL_PLUNGER, faults.STALL_PLUNGER),
        ("advance", H.IN_STALL_CARRIAGE, faults.STALL_CARRIAGE),
        ("dose", H.IN_PLUNGER_END, faults.SYRINGE_EMPTY),
    )
    for state, bit, code in cases:
        rig = Rig(protocol())
        run_to(rig, state)
        rig.hal.set_input(bit, True)
        rig.run_until("safing", max_us=200)
        assert rig.app.machine.fault == code, (state, code, rig.app.machine.fault)
        rig.hal.set_input(bit, False)
        rig.run_until("fault")


def test_occlusion_by_line_pressure():
    rig = Rig(protocol())
    run_to(rig, "dose")
    rig.hal.kpa = 450  # the board allows 400 kPa
    rig.run_until("fault")
    assert rig.app.machine.fault == faults.OCCLUSION


def test_a_move_that_never_ends_times_out():
    rig = Rig(protocol())
    run_to(rig, "advance")
    rig.hal.total[H.AXIS_CARRIAGE] = 10**9  # the carriage never reports the end
    rig.run_until("fault", limit_us=10000000)
    assert rig.app.machine.fault == faults.TIMEOUT


def test_abort_and_link_loss():
    rig = Rig(protocol())
    run_to(rig, "hold")
    rig.app.abort()
    rig.run_until("fault")
    assert rig.app.machine.fault == faults.ABORT
    # Link lost mid-shot: the shot finishes with the needle out, then the gun faults.
    rig = Rig(protocol([point_zone(points=5)]))
    run_to(rig, "dose")
    rig.app.link_lost()
    rig.trigger(False)
    rig.run_until("fault")
    assert rig.app.machine.fault == faults.LINK_LOST
    assert journal(rig)[0]["fault"] == 0  # the shot in progress completed
    assert rig.app.session.shots == 1


def naive(rig):
    """Burst timing is the subject, not the dose model: naive dosing keeps the board's short
    relief (compensated mode sizes it from a real syringe's compliance, and takes longer)."""
    rig.app.machine.configure(dosing_mode=0)
    return rig


def test_burst_repeats_while_the_trigger_is_held():
    rig = naive(Rig(protocol([burst_zone(points=4, rate_per_min=100)])))
    rig.arm()
    rig.touch(True)
    rig.run_for(30000)
    rig.trigger(True)
    rig.run_until("done")
    rig.run_for(50000)
    recs = journal(rig)
    assert len(recs) == 4
    gaps = [b["t_start_ms"] - a["t_start_ms"] for a, b in zip(recs, recs[1:])]
    assert all(599 <= g <= 620 for g in gaps), gaps  # 100/min: one every 600 ms


def test_burst_stops_when_the_trigger_is_released():
    rig = naive(Rig(protocol([burst_zone(points=10, rate_per_min=100)])))
    rig.arm()
    rig.touch(True)
    rig.run_for(30000)
    rig.trigger(True)
    rig.run_for(1300000)
    rig.trigger(False)
    rig.run_for(1500000)
    assert rig.state() == "armed"
    assert rig.app.session.shots == 3


def test_pause_waits_for_the_needle_to_be_out():
    rig = Rig(protocol([point_zone(points=4)]))
    run_to(rig, "dose")
    rig.app.pause()
    rig.trigger(False)
    rig.run_until("paused")
    assert rig.hal.motor_position(H.AXIS_CARRIAGE) == 0
    assert rig.app.session.shots == 1
    assert rig.app.resume()
    assert rig.state() == "armed"


def test_a_pause_asked_during_the_last_shot_does_not_carry_into_the_next_protocol():
    # A streaming host gates the last zone while its last shot runs; the session ends
    # DONE. The next protocol loaded must arm, not stop paused on that old request.
    rig = Rig(protocol([point_zone(points=1)]))
    run_to(rig, "dose")
    rig.app.pause()
    rig.trigger(False)
    rig.run_until("done")
    assert rig.app.load_protocol(protocol([point_zone(points=2)])) == []
    rig.arm()
    assert rig.state() == "armed"


def test_resume_before_the_pause_is_reached_calls_it_off():
    # A streaming host gates the next zone during a shot and releases it before the shot
    # ends: the gun must go on, not stop paused at the end of the shot.
    rig = Rig(protocol([point_zone(points=4)]))
    run_to(rig, "dose")
    rig.app.pause()
    assert rig.app.resume()
    rig.trigger(False)
    rig.run_until("pace")
    rig.run_until("armed")
    assert rig.app.session.shots == 1


def test_refill_when_the_syringe_cannot_give_the_next_dose():
    # 1 mL syringe, 300 µL shots: the fourth shot needs a fresh syringe.
    rig = Rig(protocol([point_zone(points=5, dose_ul=300, pace_ms=5000)], syringe_ml=1))
    rig.arm()
    for _ in range(3):
        rig.pull()
        rig.run_until("armed")
    rig.pull()
    rig.run_until("refill")
    assert rig.app.session.shots == 3
    assert rig.app.refilled()
    rig.pull()
    rig.run_until("armed")
    assert rig.app.session.shots == 4


def test_polls_while_moving_come_at_the_move_end_and_for_pressure():
    rig = Rig(protocol())
    run_to(rig, "advance")
    m = rig.app.machine
    wait = (rig.deadline - rig.hal.now) % (1 << 30)
    assert wait > 1000  # not every millisecond: edges wake the loop, the end is known
    assert abs((m.move_end - rig.deadline) % (1 << 30)) <= 1000 or wait == 50000
    rig.run_until("dose", max_us=100)
    wait = (rig.deadline - rig.hal.now) % (1 << 30)
    assert wait <= m.pressure_us


def test_pressure_is_read_faster_the_faster_a_blocked_line_would_climb():
    rig = Rig(protocol())
    m = rig.app.machine
    c_nl_bar = dosing.compliance_nl_bar(rig.app.session.syringe)
    slow = m.pressure_period_us(5000)  # 5 µL/s into a 3 mL syringe's compliance
    fast = m.pressure_period_us(5000000)
    assert 1000 <= fast and slow > 4 * fast
    # Between two readings the pressure climbs at most 1/10 of the limit.
    for flow, period in ((5000, slow), (5000000, fast)):
        assert period * flow * 100 / c_nl_bar / 1e6 <= 400 / 10 + 0.01


def test_a_home_switch_stuck_on_is_a_switch_fault_before_any_dose():
    rig = Rig(protocol())
    rig.arm()
    rig.stuck_home = True
    rig.pull()
    rig.run_until("fault")
    assert rig.app.machine.fault == faults.SWITCH
    rig.run_for(50000)
    assert journal(rig)[0]["fault"] == faults.SWITCH
    assert journal(rig)[0]["delivered_nl"] == 0
    assert rig.app.session.shots == 0  # no dose was given: the point is still to do
