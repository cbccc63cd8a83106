"""The clinical lock on the virtual board: pairing, signed commands, replay, tamper, lockout."""

import json
import os

import pytest

from firmware import auth
from firmware.wire import messages as M
from host.flash.device import _raw_repl
from host.link import keys
from host.link.session import Session
from host.link.signed import Signer
from tests.device.conftest import flash_with, run_meso


def verdict(s, mid):
    while True:
        _, _, payload = s.wait((auth.AUTH_RESULT,), 3000000, "verdict")
        f = M.unpack(auth.AUTH_RESULT, payload)[1]
        if f["for_type"] == mid:
            return f["verdict"]


@pytest.fixture
def paired(board, unix_build, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MESO_KEYS", str(tmp_path / "keys"))
    flash_with(board, unix_build)
    rc, out, err = run_meso(capsys, "pair", "--port", board.port)
    assert rc == 0, err
    assert "clinical mode" in out
    rc, out, err = run_meso(capsys, "info", "--port", board.port)
    assert rc == 0 and "mode        clinical" in out, err
    return board


def audit(board):
    with open(os.path.join(board.flash_dir, "data", "audit.log")) as f:
        return f.read()


def test_paired_gun_refuses_unsigned_replayed_and_tampered(paired, capsys, monkeypatch):
    board = paired
    s = Session.open(board.port)
    try:
        info = s.identity["info"]
        assert info["mode"] == "clinical"
        assert "state" in s.status()  # status stays readable without a key
        key = keys.load(info["device_id"])
        # Unsigned commands that would change the gun: refused and logged.
        s.send(M.RUN_ZONE, (0,))
        assert verdict(s, M.RUN_ZONE) != auth.OK
        s.send(auth.MAINT)
        assert verdict(s, auth.MAINT) != auth.OK
        sig = Signer(s, key)
        assert sig.begin() == auth.PAIR_PAIRED
        settings = json.dumps({"backlash_um": 12}).encode()
        fields, body = sig.signed_fields(auth.SETTINGS, settings)
        s.send(auth.SIGNED, fields, body)
        assert verdict(s, auth.SETTINGS) == auth.OK
        # The same signed frame again: a replay.
        s.send(auth.SIGNED, fields, body)
        assert verdict(s, auth.SETTINGS) == auth.REPLAYED
        # One byte changed in flight: a tampered command.
        fields, body = sig.signed_fields(auth.SETTINGS, json.dumps({"backlash_um": 13}).encode())
        s.send(auth.SIGNED, fields, body.replace(b"13", b"99"))
        assert verdict(s, auth.SETTINGS) == auth.BAD_TAG
    finally:
        s.close()
    with open(os.path.join(board.flash_dir, "data", "settings.json")) as f:
        assert json.load(f)["backlash_um"] == 12  # only the authentic change landed
    log = audit(board)
    assert "refused RUN_ZONE" in log and "refused MAINT" in log
    assert "refused SETTINGS: replayed" in log and "refused SETTINGS: bad authentication" in log
    # No REPL while the app owns the port: ^C^A gets no prompt, and the gun still answers.
    assert _raw_repl(board.port, 0.5) is None
    # Maintenance with the key works (verify enters it signed), without it it does not.
    rc, out, err = run_meso(capsys, "verify", "--port", board.port)
    assert rc == 0, out + err
    monkeypatch.setenv("MESO_KEYS", os.environ["MESO_KEYS"] + "-elsewhere")
    rc, out, err = run_meso(capsys, "verify", "--port", board.port)
    assert rc == 1 and "paired with another laptop" in err


def test_wrong_key_is_locked_out(paired):
    board = paired
    s = Session.open(board.port)
    try:
        right = keys.load(s.identity["info"]["device_id"])
        wrong = Signer(s, b"\x55" * 32)
        wrong.begin()
        for _ in range(auth.FAILS_BEFORE_LOCKOUT):
            fields, body = wrong.signed_fields(auth.MAINT, b"")
            s.send(auth.SIGNED, fields, body)
            assert verdict(s, auth.MAINT) == auth.BAD_TAG
        good = Signer(s, right)
        good.begin()
        fields, body = good.signed_fields(auth.MAINT, b"")
        s.send(auth.SIGNED, fields, body)
        assert verdict(s, auth.MAINT) == auth.LOCKED
    finally:
        s.close()
    assert audit(board).count("refused MAINT") == auth.FAILS_BEFORE_LOCKOUT + 1
    # The lockout is the session's: the real host, in a session of its own, gets through.
    s = Session.open(board.port)
    try:
        good = Signer(s, right)
        good.begin()
        fields, body = good.signed_fields(auth.SETTINGS, b'{"backlash_um": 11}')
        s.send(auth.SIGNED, fields, body)
        assert verdict(s, auth.SETTINGS) == auth.OK
    finally:
        s.close()


def test_meso_run_and_upload_sign_for_a_paired_gun(tmp_path, monkeypatch, capsys, unix_build):
    """The practitioner's commands work on a gun in clinical mode (they sign what it
    guards), and only with this laptop's key."""
    from sim.board import VirtualBoard

    monkeypatch.setenv("MESO_KEYS", str(tmp_path / "keys"))
    proto = tmp_path / "two.toml"
    proto.write_text('[protocol]\nname = "two"\nsyringe_ml = 1\nneedle_mm = 4\n'
                     'needle_gauge = 30\nviscosity_mpas = 1\n\n[[zone]]\nname = "a"\n'
                     'mode = "point"\npoints = 2\ndepth_mm = 1.0\ndose_ul = 10\n'
                     'pace_ms = 2000\n')
    with VirtualBoard(str(tmp_path / "flash"), jig=True) as vb:
        flash_with(vb, unix_build)
        assert run_meso(capsys, "pair", "--port", vb.port)[0] == 0
        rc, out, err = run_meso(capsys, "run", str(proto), "--port", vb.port, "--screened-by",
                                "t", "--yes", "--log", str(tmp_path / "run.json"))
        assert rc == 0 and "done, 2/2 shots" in out, out + err
        rc, out, err = run_meso(capsys, "upload", str(proto), "--port", vb.port)
        assert rc == 0, out + err
        monkeypatch.setenv("MESO_KEYS", str(tmp_path / "other-laptop"))
        rc, out, err = run_meso(capsys, "run", str(proto), "--port", vb.port, "--screened-by",
                                "t", "--yes", "--log", str(tmp_path / "run2.json"))
        assert rc == 1 and "paired with another laptop" in err, out + err


def test_a_damaged_key_locks_the_board_until_the_trigger_is_held_at_power_up(paired, capsys):
    """The physical recovery on the virtual board: a torn key file fails closed (locked,
    even maintenance refused), the trigger held at power-up erases it and the stored
    protocol, logged, and the gun can be paired again."""
    from host.flash import deploy

    board = paired
    data = os.path.join(board.flash_dir, "data")
    with open(os.path.join(data, "auth.key"), "r+b") as f:
        f.truncate(20)  # torn
    with open(os.path.join(data, "protocol.bin"), "wb") as f:
        f.write(b"\x00" * 40)
    board.power_cycle()
    assert deploy.handshake(board.port)["info"]["mode"] == "locked"
    rc, out, err = run_meso(capsys, "verify", "--port", board.port)
    assert rc == 1, out + err  # no maintenance (no REPL) on a locked gun
    rc, out, err = run_meso(capsys, "pair", "--port", board.port)
    assert rc == 1 and "locked" in err
    board.hold_trigger = True
    board.power_cycle()
    info = deploy.handshake(board.port, wait_s=20)["info"]
    board.hold_trigger = False
    assert info["mode"] == "open" and info.get("recovered") is True
    assert not os.path.exists(os.path.join(data, "auth.key"))
    assert not os.path.exists(os.path.join(data, "protocol.bin"))
    assert "recovery: trigger held at power-up" in audit(board)
    rc, out, err = run_meso(capsys, "pair", "--port", board.port)
    assert rc == 0 and "clinical mode" in out, out + err
