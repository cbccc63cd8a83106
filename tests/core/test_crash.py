"""A crash makes the gun safe: stopped, relieved, retracted (or the drivers released),
alarmed, logged once in a bounded log; a crash loop latches; a paired gun opens no REPL."""

from rig import Rig, point_zone, protocol

from firmware import boot, crash, ticks
from firmware import hal as H
from firmware.wire import faults


def crashing_rig():
    rig = Rig(protocol([point_zone(points=5)]))
    hal = rig.hal

    def idle(deadline):
        hal.advance(max(1, ticks.diff(deadline, hal.now, hal.tick_mask)))

    hal.idle = idle
    clock = [0]
    guard = crash.CrashGuard(hal, rig.app, lambda: clock[0])
    return rig, guard, clock


def crash_now(guard, text="a bug in a command"):
    try:
        raise RuntimeError(text)
    except RuntimeError as e:
        return guard.crashed(e)


def log_lines(rig):
    return bytes(rig.hal.files.get(crash.LOG, b"")).decode().splitlines()


def test_a_crash_mid_dose_stops_relieves_retracts_alarms_and_logs_once():
    rig, guard, _ = crashing_rig()
    rig.arm()
    rig.touch(True)
    rig.run_for(30000)
    rig.trigger(True)
    rig.run_until("dose", max_us=200)
    rig.run_for(3000, max_us=200)
    plunger_at_crash = rig.hal.motor_position(H.AXIS_PLUNGER)
    assert rig.hal.motor_position(H.AXIS_CARRIAGE) > 0  # the needle is in
    assert crash_now(guard) is True
    m = rig.app.machine
    assert rig.state() == "fault" and m.fault == faults.CRASH
    assert not rig.hal.moving(H.AXIS_PLUNGER) and not rig.hal.moving(H.AXIS_CARRIAGE)
    assert rig.hal.motor_position(H.AXIS_CARRIAGE) == 0  # retracted
    assert rig.hal.motor_position(H.AXIS_PLUNGER) < plunger_at_crash  # relieved
    assert rig.hal.outputs[H.OUT_ALARM]
    lines = log_lines(rig)
    assert len(lines) == 1 and "RuntimeError: a bug in a command; made safe" in lines[0]
    assert rig.app.session.shots == 1  # the dose begun counts as given: never twice


def test_when_the_machine_itself_is_broken_the_drivers_are_released():
    rig, guard, _ = crashing_rig()
    rig.arm()
    rig.hal.enabled = True

    def broken(code, now):
        raise AttributeError("machine state lost")

    rig.app.machine.trip = broken
    assert crash_now(guard) is False
    assert rig.hal.enabled is False and rig.hal.outputs[H.OUT_ALARM]
    assert "drivers released" in log_lines(rig)[0]


def test_a_crash_loop_latches_until_acknowledged_and_the_log_stays_bounded():
    rig, guard, clock = crashing_rig()
    rig.arm()
    for i in range(crash.LOOP_CRASHES - 1):
        clock[0] += 60000
        crash_now(guard, "crash %d " % i + "x" * 300)
        assert rig.app.ack_fault()
        rig.run_until("armed")
    clock[0] += 60000
    crash_now(guard, "x" * 300)
    assert rig.app.machine.fault == faults.CRASH_LOOP and rig.state() == "fault"
    logged = len(log_lines(rig)) + len(bytes(rig.hal.files.get(crash.OLD, b"")).splitlines())
    for _ in range(200):  # a crash that repeats at every pass
        clock[0] += 10
        crash_now(guard, "y" * 300)
    assert rig.state() == "fault" and rig.app.machine.fault == faults.CRASH_LOOP
    assert rig.app.arm() is False
    assert len(log_lines(rig)) + len(bytes(rig.hal.files.get(crash.OLD, b"")).splitlines()) \
        == logged  # logged once, not at every pass
    assert rig.app.ack_fault()
    rig.run_until("armed")
    for _ in range(40):  # after the acknowledgement it counts again; the log rotates
        clock[0] += crash.LOOP_MS
        crash_now(guard, "z" * 300)
        rig.app.ack_fault()
    assert len(rig.hal.files[crash.LOG]) <= crash.LOG_MAX
    assert len(rig.hal.files[crash.OLD]) <= crash.LOG_MAX


class Shut(Exception):
    pass


class Clock:
    def sleep_ms(self, ms):
        raise Shut()  # the gun waits here, with no REPL


def test_a_paired_gun_that_cannot_be_built_opens_no_repl():
    was = boot.build, boot.paired, boot.time

    def build(folder):
        raise ValueError("board file damaged")

    boot.build = build
    boot.time = Clock()
    try:
        boot.paired = lambda folder: True
        try:
            boot.start("fw")
            raised = None
        except Exception as e:  # noqa: BLE001 - which one is the point
            raised = e
        assert isinstance(raised, Shut), raised
        boot.paired = lambda folder: False  # an open gun: the error goes to the REPL
        try:
            boot.start("fw")
            raised = None
        except Exception as e:  # noqa: BLE001
            raised = e
        assert isinstance(raised, ValueError), raised
    finally:
        boot.build, boot.paired, boot.time = was
