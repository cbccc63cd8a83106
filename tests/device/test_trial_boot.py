"""Flashing the right board, and trial boot: a new firmware counts only once it shakes hands."""

import json
import os
import time

import pytest
import serial

from firmware import manifest
from host.flash import deploy
from host.flash.errors import FlashError
from tests.device.conftest import flash_with, run_meso
from tests.device.firmware_kit import compile_source, ctrl_c_to_stuck, marker_source, variant


def _fw_folders(board):
    return sorted(n for n in os.listdir(board.flash_dir) if n.startswith("fw-"))


def _read(board, name):
    try:
        with open(os.path.join(board.flash_dir, name)) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def test_wrong_board_flash_is_refused_and_old_firmware_runs(board, unix_build, capsys):
    old = flash_with(board, unix_build)
    before = _fw_folders(board)
    rc, out, err = run_meso(capsys, "flash", "--board", "pico", "--port", board.port)
    assert rc != 0
    assert "for board pico (armv6m)" in err and "is board unix" in err, err
    assert "nothing written" in err
    assert _fw_folders(board) == before and _read(board, manifest.TRIAL) is None
    board.power_cycle()  # and at the next boot too, the old firmware runs
    info = deploy.handshake(board.port)["info"]
    assert info["folder"] == old["folder"] and info["firmware_ok"]


def test_verify_checks_the_board(board, unix_build, capsys):
    info = flash_with(board, unix_build)
    path = os.path.join(board.flash_dir, info["folder"], manifest.NAME)
    with open(path) as f:
        m = json.load(f)
    m.update(board="pico", mpy_arch="armv6m")  # as a wrong-board flash left it before
    with open(path, "w") as f:
        f.write(manifest.dumps(m))
    rc, out, err = run_meso(capsys, "verify", "--port", board.port)
    assert rc == 1, out + err
    assert "board: this firmware is for board pico (armv6m) but it is MicroPython's unix port" \
        in out


def _hang_source(mark):
    """A firmware that hangs after taking its port, as its link does first: from then on the
    host's bytes are data to it. (One that hangs before can be interrupted by a 0x03 and reset
    by a 0x04 in a handshake's random bytes, which rolls the trial back early.)"""
    return marker_source(mark, "hung") + (
        "import micropython, termios\ntermios.setraw(0)\nmicropython.kbd_intr(-1)\n"
        "while True:\n    pass\n")


def _wait_for(path, wait_s=60):
    end = time.monotonic() + wait_s
    while not os.path.exists(path):
        assert time.monotonic() < end, "%s never appeared" % path
        time.sleep(0.05)


def test_ctrl_c_while_an_open_gun_boots_never_stops_it_at_the_repl(board, unix_build, tmp_path):
    """A host that talks to a gun while it boots sends frames holding 0x03 (HELLO's type). On
    an open gun too the loader makes it data before it imports anything: a firmware still
    importing (here one stuck before its link takes the port) is not broken into a REPL that
    the host's frames would then type into. It stays stuck (the byte is data to it), and
    the next reset rolls the unconfirmed trial back."""
    old = flash_with(board, unix_build)
    mark = tmp_path / "importing"
    stuck = marker_source(mark, "importing") + "while True:\n    pass\n"
    build = variant(unix_build, {"firmware/mainloop.mpy": compile_source(tmp_path, stuck)})
    folder = deploy.deploy(board.port, build, say=lambda *a: None)
    _wait_for(mark)
    with serial.Serial(board.port, timeout=0.2) as port:
        heard = ctrl_c_to_stuck(board, port, b"\x03")
    assert b">>>" not in heard and b"KeyboardInterrupt" not in heard, heard
    board.power_cycle()
    info = deploy.handshake(board.port, wait_s=60)["info"]
    assert info["folder"] == old["folder"]
    assert "trial %s was not confirmed: back to %s" % (folder, old["folder"]) in _read(
        board, "data/boot.log")


@pytest.mark.parametrize("how", ["crash", "hang"])
def test_firmware_failing_before_its_handshake_is_rolled_back(board, unix_build, tmp_path, how):
    old = flash_with(board, unix_build)
    mark = tmp_path / "hung"
    source = "raise RuntimeError('broken build')\n" if how == "crash" else _hang_source(mark)
    broken = variant(unix_build, {"firmware/mainloop.mpy": compile_source(tmp_path, source)})
    folder = deploy.deploy(board.port, broken, say=lambda *a: None)
    assert folder != old["folder"]
    if how == "crash":
        # The loader resets at once after a trial's crash, and the reset rolls back.
        info = deploy.handshake(board.port)["info"]
        assert "trial %s failed before its handshake" % folder in _read(board, "data/boot.log")
    else:
        _wait_for(mark)
        with serial.Serial(board.port, timeout=2) as port:
            # Ctrl-C, then Ctrl-D once Ctrl-C had its time (a terminal flushes its input at an
            # interrupt): no way out of a hang that owns its port, no REPL in between.
            port.write(b"\x03")
            assert b">>>" not in port.read(4096)
            port.write(b"\x04")
        with pytest.raises(FlashError, match="previous one boots at the next reset"):
            deploy.handshake(board.port, wait_s=3)
        board.power_cycle()
        info = deploy.handshake(board.port)["info"]
        assert "trial %s was not confirmed: back to %s" % (folder, old["folder"]) in _read(
            board, "data/boot.log")
    assert info["folder"] == old["folder"] and info["firmware_ok"]
    assert _read(board, manifest.ACTIVE) == old["folder"]
    assert _read(board, manifest.TRIAL) is None and _read(board, "trial.run") is None
    assert "trial" not in info  # the old firmware was confirmed long ago
    # A good flash afterwards is confirmed at its handshake and stays.
    new = flash_with(board, unix_build)
    assert new["trial"] is False and _read(board, manifest.ACTIVE) == new["folder"]
    assert _read(board, "trial.run") is None
    board.power_cycle()
    assert deploy.handshake(board.port)["info"]["folder"] == new["folder"]
