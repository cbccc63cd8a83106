"""Firmware authenticity on a paired virtual board: nothing tampered is ever imported.

Each case changes the installed firmware as someone with the flash in hand could (a core
file replaced by one that leaves a marker when imported, a shadowing .py, a rewritten or
re-signed manifest, a pointer to another folder, a damaged key), power-cycles the board and
waits for the loader's verdict in data/boot.log. The marker module itself is shown to run
when it is signed with the gun's key, so an absent marker means "not imported".
"""

import os
import shutil
import time

import pytest
import serial

from firmware import manifest
from host.flash import deploy, installed
from host.flash.device import Device
from host.link import keys
from tests.device.conftest import flash_with, run_meso
from tests.device.firmware_kit import (
    compile_source,
    ctrl_c_to_stuck,
    marker_source,
    rewrite_manifest,
    variant,
)

# Core files the boot imports, each replaced in turn.
CORE = ("firmware/__init__.mpy", "firmware/boot.mpy", "firmware/app.mpy", "firmware/gun.mpy",
        "firmware/auth.mpy", "firmware/manifest.mpy", "firmware/wire/lock.mpy",
        "firmware/wire/messages.mpy", "firmware/ports/unix/hal.mpy", "boards/unix.mpy")
VERDICT_WAIT_S = 30


@pytest.fixture
def paired(board, unix_build, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MESO_KEYS", str(tmp_path / "keys"))
    flash_with(board, unix_build)
    rc, out, err = run_meso(capsys, "pair", "--port", board.port)
    assert rc == 0 and "clinical mode" in out, err
    return board


def _log_lines(board):
    try:
        with open(os.path.join(board.flash_dir, "data", "boot.log")) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def _marked(marker):
    """The marker module ran: its line is whole (open() makes the file before the write)."""
    try:
        with open(marker) as f:
            return f.read().endswith("\n")
    except OSError:
        return False


def _boot_and_wait(board, marker):
    """Power-cycle; the loader's new boot.log line, or None if the marker came first."""
    seen = len(_log_lines(board))
    board.power_cycle()
    end = time.monotonic() + VERDICT_WAIT_S
    while time.monotonic() < end:
        lines = _log_lines(board)
        if len(lines) > seen:
            return lines[seen]
        if _marked(marker):
            return None
        time.sleep(0.05)
    raise AssertionError("no verdict from the loader in %d s" % VERDICT_WAIT_S)


def test_tampered_firmware_on_a_paired_gun_is_never_imported(paired, tmp_path):
    board = paired
    flash = board.flash_dir
    with open(os.path.join(flash, manifest.ACTIVE)) as f:
        active = f.read().strip()
    fw = os.path.join(flash, active)
    pristine = str(tmp_path / "pristine")
    shutil.copytree(flash, pristine, ignore=shutil.ignore_patterns("data"))
    key_path = os.path.join(flash, "data", "auth.key")
    with open(key_path, "rb") as f:
        key = f.read()
    marker = tmp_path / "imported.txt"

    def evil(label):
        return compile_source(tmp_path, marker_source(marker, label), "evil")

    def put(rel, data, root=fw):
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def point(name):
        with open(os.path.join(flash, manifest.ACTIVE), "w") as f:
            f.write(name)

    def attacker_folder(name, sign_with=None):
        root = os.path.join(flash, name)
        shutil.copytree(fw, root)
        put("firmware/boot.mpy", evil(name), root)
        rewrite_manifest(root, {"firmware/boot.mpy": evil(name)}, sign_with)
        point(name)

    def damaged_key():
        # A damaged key leaves no signature to check: the loader holds the files to the
        # manifest (and the firmware boots locked), so a replaced file is still refused.
        put("firmware/boot.mpy", evil("damaged key"))
        with open(key_path, "wb") as f:
            f.write(key[:7])

    cases = [("replaced " + rel, lambda rel=rel: put(rel, evil(rel))) for rel in CORE]
    cases += [
        ("shadowing firmware/boot.py", lambda: put("firmware/boot.py",
                                                   marker_source(marker, "boot.py").encode())),
        ("shadowing firmware/gun.py", lambda: put("firmware/gun.py",
                                                  marker_source(marker, "gun.py").encode())),
        ("manifest rewritten to match", lambda: (
            put("firmware/boot.mpy", evil("rewritten")),
            rewrite_manifest(fw, {"firmware/boot.mpy": evil("rewritten")}))),
        ("manifest re-signed with another key", lambda: (
            put("firmware/boot.mpy", evil("other key")),
            rewrite_manifest(fw, {"firmware/boot.mpy": evil("other key")}, os.urandom(32)))),
        ("signature removed", lambda: (
            put("firmware/boot.mpy", evil("unsigned")),
            rewrite_manifest(fw, {"firmware/boot.mpy": evil("unsigned")}),
            os.remove(os.path.join(fw, manifest.SIG)))),
        ("active names an unsigned folder", lambda: attacker_folder("fw-0123456789ab")),
        ("active names a folder signed with another key",
         lambda: attacker_folder("fw-ba9876543210", os.urandom(32))),
        ("active names the flash root", lambda: (
            put("firmware/__init__.py", marker_source(marker, "root").encode(), flash),
            point("."))),
        ("active names a path", lambda: attacker_folder("fw-0123456789ab") or point(
            "fw-0123456789ab/../fw-0123456789ab")),
        ("key file damaged", damaged_key),
    ]
    refused = []
    for label, tamper in cases:
        tamper()
        verdict = _boot_and_wait(board, marker)
        assert not marker.exists(), "%s: imported (%s)" % (label, marker.read_text())
        assert verdict and verdict.startswith("refused: "), (label, verdict)
        refused.append((label, verdict))
        # Put the flash back as it was (the key too) for the next case.
        for name in os.listdir(flash):
            if name != "data":
                path = os.path.join(flash, name)
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        shutil.copytree(pristine, flash, dirs_exist_ok=True)
        with open(key_path, "wb") as f:
            f.write(key)
    print("tampered firmware tried: %d, imported: 0" % len(refused))
    for label, verdict in refused:
        print("  %s -> %s" % (label, verdict))
    assert len(refused) == len(cases) >= 19

    # The pristine firmware boots at the next reset, clinical (the last case's gun stays
    # halted until then, as a board does); and the marker module does run once signed.
    board.power_cycle()
    info = deploy.handshake(board.port)["info"]
    assert info["folder"] == active and info["mode"] == "clinical" and info["firmware_ok"]
    put("firmware/boot.mpy", evil("signed"))
    rewrite_manifest(fw, {"firmware/boot.mpy": evil("signed")}, keys.load(info["device_id"]))
    _boot_and_wait(board, marker)  # it runs, then stops the boot: it is no firmware
    assert marker.read_text() == "signed\n"


def test_flash_on_a_paired_gun_signs_the_manifest(paired, unix_build, capsys):
    board = paired
    info = flash_with(board, unix_build)  # a second flash: the new folder must be signed
    assert info["mode"] == "clinical" and info["firmware_ok"] and info["trial"] is False
    folder = os.path.join(board.flash_dir, info["folder"])
    with open(os.path.join(folder, manifest.NAME), "rb") as f:
        raw = f.read()
    sig_path = os.path.join(folder, manifest.SIG)
    with open(sig_path, "rb") as f:
        assert f.read() == manifest.signature(keys.load(info["device_id"]), raw)
    rc, out, err = run_meso(capsys, "verify", "--port", board.port)
    assert rc == 0 and "every file matches" in out, out + err
    deploy.handshake(board.port)
    with open(sig_path, "wb") as f:
        f.write(b"0" * 64)
    rc, out, err = run_meso(capsys, "verify", "--port", board.port)
    assert rc == 1 and "manifest.sig: missing or not signed with this gun's key" in out, out + err


def test_re_pairing_cut_on_either_side_of_the_key_change_still_boots(paired):
    """meso pair on a paired gun signs under the next key before that key takes effect."""
    board = paired
    with open(os.path.join(board.flash_dir, manifest.ACTIVE)) as f:
        active = f.read().strip()
    new_key = os.urandom(32)
    dev = Device.open(board.port)
    assert installed.sign_installed(dev, new_key) == active
    dev.reboot()  # cut before the key changed: the old key, and its manifest.sig
    info = deploy.handshake(board.port)["info"]
    assert info["folder"] == active and info["mode"] == "clinical"
    # Cut after the key changed, before manifest.sig.new was renamed over manifest.sig.
    with open(os.path.join(board.flash_dir, "data", "auth.key"), "wb") as f:
        f.write(new_key)
    board.power_cycle()
    info = deploy.handshake(board.port)["info"]
    assert info["folder"] == active and info["mode"] == "clinical"


def test_ctrl_c_while_a_paired_gun_boots_never_opens_the_repl(paired, unix_build, tmp_path):
    """A firmware still importing (here one stuck before its link takes the port) gets a
    Ctrl-C from the host: on a paired gun that must not fall through to the REPL. The loader
    makes 0x03 data before it imports anything: the firmware stays stuck, and the next reset
    rolls the unconfirmed trial back."""
    board = paired
    old = deploy.handshake(board.port)["info"]["folder"]
    mark = tmp_path / "importing"
    stuck = marker_source(mark, "importing") + "while True:\n    pass\n"
    build = variant(unix_build, {"firmware/mainloop.mpy": compile_source(tmp_path, stuck)})
    folder = deploy.deploy(board.port, build, say=lambda *a: None)
    end = time.monotonic() + VERDICT_WAIT_S
    while not os.path.exists(mark):
        assert time.monotonic() < end, "the trial never started"
        time.sleep(0.05)
    with serial.Serial(board.port, timeout=0.2) as port:
        heard = ctrl_c_to_stuck(board, port, b"\x03\r\n")
    assert b">>>" not in heard and b"KeyboardInterrupt" not in heard, heard
    board.power_cycle()
    info = deploy.handshake(board.port, wait_s=VERDICT_WAIT_S)["info"]
    assert info["folder"] == old and info["mode"] == "clinical"
    assert "trial %s was not confirmed: back to %s" % (folder, old) in _log_lines(board)
