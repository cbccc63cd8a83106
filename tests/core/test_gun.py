"""A gun put together (firmware/gun.py): stored settings reach the dose model and the
identity, a bad settings table changes nothing, a damaged key file locks the gun."""

import json

from rig import Rig, protocol

from firmware import calibration
from firmware.gun import KEY_FILE, Gun


def make(files=None):
    rig = Rig()
    for name, data in (files or {}).items():
        rig.hal.write_file_atomic(name, data)
    gun = Gun(rig.hal, rig.app, rig.board, "test-1", lambda n: bytes(n), lambda: 0)
    return rig, gun


def identity(gun):
    return json.loads(gun.link.info)


def test_an_uncalibrated_gun_runs_on_the_boards_figures_and_says_so():
    rig, gun = make()
    info = identity(gun)
    assert info["mode"] == "open" and info["cal_ppm"] == 1000000
    pl = rig.board.plunger
    assert info["backlash_um"] == pl.steps_to_um(pl.backlash_steps)
    assert rig.app.machine.backlash_steps is None


def test_stored_settings_reach_the_next_protocols_dose_model():
    rig, gun = make()
    assert gun.on_settings(json.dumps({"cal_ppm": 1010000, "backlash_um": 30})) == ""
    assert rig.app.load_protocol(protocol()) == []
    rig.arm()
    d = rig.app.machine.dosing
    assert d.scale.cal_ppm == 1010000
    assert d.backlash == rig.board.plunger.um_to_steps(30)
    info = identity(gun)
    assert info["cal_ppm"] == 1010000 and info["backlash_um"] == 30
    # Settings sent later keep the keys not given.
    assert gun.on_settings(json.dumps({"backlash_um": 12})) == ""
    stored = json.loads(rig.hal.read_file(calibration.NAME))
    assert stored["cal_ppm"] == 1010000 and stored["backlash_um"] == 12


def test_a_bad_settings_table_changes_nothing():
    rig, gun = make()
    assert gun.on_settings(json.dumps({"cal_ppm": 1010000})) == ""
    before = bytes(rig.hal.read_file(calibration.NAME))
    why = gun.on_settings(json.dumps({"cal_ppm": 1020000, "backlash_um": 9999}))
    assert "settings.backlash_um: 9999 is outside 0..500" in why
    assert bytes(rig.hal.read_file(calibration.NAME)) == before
    assert rig.app.machine.cal_ppm == 1010000
    assert gun.on_settings("{not json") == "settings: not JSON"


def test_settings_and_key_read_at_power_up():
    settings = b'{"backlash_um": 7, "cal_ppm": 990000}'
    rig, gun = make({calibration.NAME: settings, KEY_FILE: bytes(32)})
    assert gun.mode == "clinical" and gun.problems == []
    assert rig.app.machine.cal_ppm == 990000
    assert rig.app.machine.backlash_steps == rig.board.plunger.um_to_steps(7)
    # A key of the wrong length fails closed: the gun is locked and says why.
    rig, gun = make({KEY_FILE: b"short"})
    assert gun.mode == "locked" and gun.problems == ["auth.key: not a 32-byte key"]


def test_every_damaged_key_file_locks_the_gun():
    """Torn, empty, too long, a cut write's leftover, a damaged staged key: locked, and
    locked means every command but the safe ones is refused, signed or not."""
    from firmware import pairing
    from firmware.wire.files import STAGED_FILE

    good = bytes(range(32))
    staged = pairing.staged_bytes(good)
    cases = [{KEY_FILE: b""}, {KEY_FILE: good[:31]}, {KEY_FILE: good + b"x"},
             {KEY_FILE + ".tmp": good[:5]}, {KEY_FILE + ".tmp": good},
             {STAGED_FILE + ".tmp": staged[:40]}, {STAGED_FILE: staged[:63]},
             {STAGED_FILE: staged[:32] + bytes(32)}, {KEY_FILE: b"", STAGED_FILE: b"x"}]
    for files in cases:
        rig, gun = make(files)
        assert gun.mode == "locked", files
        g = gun.link.guard
        assert g.paired() and g.locked() and g.key is None and g.staged is None
        assert identity(gun)["mode"] == "locked"
    # Nothing at all is a gun never paired; a staged key alone waits for its confirmation.
    assert make()[1].mode == "open"
    assert make({STAGED_FILE: staged})[1].mode == "pairing"
    # A commit cut after its key was written: paired, and the staged copy goes.
    rig, gun = make({STAGED_FILE: staged, KEY_FILE: good})
    assert gun.mode == "clinical" and rig.hal.read_file(STAGED_FILE) is None
