"""`meso pair` cut at every write point of both ends, first pairing and re-pairing.

After each cut the gun boots again from what its flash holds and must be open only if no
key file was written at all, else locked, waiting for a confirmation (unpaired), or paired
to the key the laptop holds; a second `meso pair` then ends paired to the laptop's key (a
locked gun after the physical recovery).
"""

import collections
import os

import pytest

from firmware import pairing
from firmware.wire import lock
from firmware.wire.files import KEY_FILE
from host.commands import pair
from host.link import keys
from tests.lock.lockline import Cutter, Line, PowerCut

DEVICE = "gun-1"


def laptop_cuttable(monkeypatch, cutter):
    """The laptop's key writes as cut points too: torn after every byte, replaced."""

    def write(path, key):
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        tmp = path + ".tmp"
        def torn(n):
            def left():
                with open(tmp, "wb") as f:
                    f.write(key[:n])
            return left

        for n in range(len(key) + 1):
            cutter.point(torn(n))
        with open(tmp, "wb") as f:
            f.write(key)
        cutter.point()
        os.replace(tmp, path)

    real_promote = keys.promote

    def promote(device_id):
        cutter.point()
        return real_promote(device_id)

    monkeypatch.setattr(keys, "_write", write)
    monkeypatch.setattr(keys, "promote", promote)


def pair_on(line):
    s = line.host()
    try:
        return pair.pair_with(s, "line")
    finally:
        s.close()


def gun_key(line):
    return line.link.guard.key


def check_after_cut(files, outcomes):
    """Boot on what the cut left; the state it is in must be a safe one."""
    line = Line(files)
    mode = line.gun.mode
    outcomes[mode] += 1
    held = keys.load(DEVICE, line.gun.identity.get("key_id"))
    if mode == "open":
        assert not any(n in files for n in pairing.KEY_FILES), files.keys()
        assert keys.load(DEVICE) is None
    elif mode == "clinical":
        assert held is not None and gun_key(line) == held, "paired to a key the laptop lacks"
    elif mode == "pairing":
        # A staged key alone pairs nothing; a re-pairing keeps the key it started from.
        assert gun_key(line) is None or gun_key(line) == held
    else:
        assert mode == "locked"
        g = line.link.guard
        assert g.locked() and g.key is None
    return line


def cut_everywhere(tmp_path, monkeypatch, before):
    """Run pairing cut at point 1, 2, ... until one run goes through; figures by outcome."""
    outcomes = collections.Counter()
    at = 1
    while True:
        keydir = tmp_path / ("keys-%d" % at)
        monkeypatch.setenv("MESO_KEYS", str(keydir))
        files = before(keydir)
        cutter = Cutter(at)
        laptop_cuttable(monkeypatch, cutter)
        line = Line(files, cutter)
        try:
            pair_on(line)
        except PowerCut:
            pass
        else:
            break
        finally:
            monkeypatch.undo()
            monkeypatch.setenv("MESO_KEYS", str(keydir))
        after = check_after_cut(line.files(), outcomes)
        if after.gun.mode == "locked":
            # The documented recovery, then pairing again.
            after = recover_and_boot(line.files())
        pair_on(after)
        again = Line(after.files())
        assert again.gun.mode == "clinical"
        assert gun_key(again) == keys.load(DEVICE, again.gun.identity["key_id"])
        at += 1
    return at - 1, outcomes


def recover_and_boot(files):
    line = Line(files, held_trigger=True)
    assert line.gun.recovered and line.gun.mode == "open"
    return line


def test_first_pairing_cut_at_every_write_point_is_never_open_with_a_key(tmp_path, monkeypatch):
    cuts, outcomes = cut_everywhere(tmp_path, monkeypatch, lambda keydir: {})
    print("first pairing: %d cut points, outcomes %s" % (cuts, dict(outcomes)))
    assert cuts >= 100
    assert outcomes["open"] == 1  # only the cut before the gun's first byte: as before
    assert outcomes["clinical"] + outcomes["pairing"] + outcomes["locked"] == cuts - 1


def test_repairing_cut_at_every_write_point_keeps_a_key_the_laptop_holds(tmp_path, monkeypatch):
    old = bytes(range(32))

    def paired(keydir):
        monkeypatch.setenv("MESO_KEYS", str(keydir))
        keys.save(DEVICE, old)
        return {KEY_FILE: old}

    cuts, outcomes = cut_everywhere(tmp_path, monkeypatch, paired)
    print("re-pairing: %d cut points, outcomes %s" % (cuts, dict(outcomes)))
    assert cuts >= 100
    assert outcomes["open"] == 0 and outcomes["locked"] == 0
    assert set(outcomes) <= {"clinical", "pairing"}


@pytest.mark.parametrize("damage", [b"", b"\x01" * 31, b"\x01" * 33])
def test_a_locked_gun_refuses_pairing_until_the_physical_recovery(tmp_path, monkeypatch, damage):
    monkeypatch.setenv("MESO_KEYS", str(tmp_path / "keys"))
    line = Line({KEY_FILE: damage, "protocol.bin": b"x" * 40})
    assert line.gun.mode == "locked"
    with pytest.raises(Exception, match="locked"):
        pair_on(line)
    line = recover_and_boot(line.files())
    assert not any(n in line.files() for n in pairing.KEY_FILES + ("protocol.bin",))
    assert "recovery: trigger held at power-up" in line.files()["audit.log"].decode()
    pair_on(line)
    assert Line(line.files()).gun.mode == "clinical"
    assert lock.key_id(keys.load(DEVICE)) == Line(line.files()).gun.identity["key_id"]
