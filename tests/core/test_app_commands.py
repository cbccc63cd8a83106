"""The app's commands act at the tick they are given, as poll(now) does."""

from rig import Rig, protocol

from firmware.wire import faults
from firmware.wire.states import HOMING, SAFING


def test_commands_act_at_the_tick_they_are_given():
    rig = Rig()
    assert rig.app.load_protocol(protocol()) == []
    later = rig.hal.now + 5000000  # not the HAL's clock: the tick the command is given at
    assert rig.app.arm(later)
    m = rig.app.machine
    assert m.state == HOMING
    # The homing deadline runs from the tick given.
    assert m.until == later + m.safe_carriage.duration_us + m.timeout_us()
    rig.app.abort(later + 10)
    assert m.state == SAFING and m.status() == (SAFING, faults.ABORT, False)
