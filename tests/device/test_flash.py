"""meso flash, meso info and meso verify on the virtual board; the boot-time self-check."""

import json
import os
import signal
import subprocess
import time

from firmware import manifest
from host.flash import deploy
from tests.device.conftest import BIN, flash_with, meso, run_meso


def test_flash_then_info_end_to_end(board):
    out = meso("flash", "--board", "unix", "--port", board.port)
    assert out.returncode == 0, out.stderr
    sent = int(out.stdout.split("deploying ")[1].split(" files")[0])
    # Every firmware file, the manifest and the loader (new on an empty board), hashed on
    # the device.
    assert "verified %d files" % (sent + 2) in out.stdout and "booted and confirmed: device" in out.stdout
    text = meso("info", "--port", board.port)
    assert "mode        open" in text.stdout and "check       ok" in text.stdout, text.stderr
    built = out.stdout.split("built fw-")[1].split()[0]  # the firmware id
    m = manifest.load(os.path.join(board.flash_dir, "fw-" + built))
    want = manifest.source_text(m["commit"], m["dirty"])
    assert "source      %s, firmware id %s\n" % (want, built) in text.stdout, text.stdout
    assert m["commit"] != "unknown"  # the tests run in a git checkout
    info = meso("info", "--port", board.port, "--json")
    assert info.returncode == 0, info.stderr
    ident = json.loads(info.stdout)["info"]
    assert ident["board"] == "unix"
    assert ident["firmware_ok"] is True and ident["mode"] == "open"
    # The device's own check agrees with the host's manifest, file by file.
    folder = os.path.join(board.flash_dir, ident["folder"])
    m = manifest.load(folder)
    assert m["board"] == "unix" and len(m["files"]) == sent
    for rel, sha in m["files"].items():
        assert manifest.sha256_file(os.path.join(folder, rel)) == sha


def test_verify_reports_drift_and_boot_refuses(board, unix_build, capsys):
    info = flash_with(board, unix_build)
    rc, out, err = run_meso(capsys, "verify", "--port", board.port)
    assert rc == 0 and "every file matches" in out, out + err
    folder = os.path.join(board.flash_dir, info["folder"])
    with open(os.path.join(folder, "firmware", "auth.mpy"), "ab") as f:
        f.write(b"\x00")
    open(os.path.join(folder, "firmware", "extra.mpy"), "wb").close()
    rc, out, err = run_meso(capsys, "verify", "--port", board.port)
    assert rc == 1
    assert "firmware/auth.mpy: changed" in out
    assert "firmware/extra.mpy: not in the manifest" in out
    # verify rebooted the gun: its own check now names the same files and it will not arm.
    ident = deploy.handshake(board.port)["info"]
    assert ident["firmware_ok"] is False
    assert any(p.startswith("firmware/auth.mpy") for p in ident["firmware_problems"])
    assert any(p.startswith("firmware/extra.mpy") for p in ident["firmware_problems"])


def test_interrupted_flash_keeps_previous_firmware(board, unix_build):
    old = flash_with(board, unix_build)
    proc = subprocess.Popen([os.path.join(BIN, "meso"), "flash", "--board", "unix", "--port",
                             board.port], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    new_dir = None
    end = time.monotonic() + 30
    # Kill it half-way: once the new folder holds a few files but not all.
    while time.monotonic() < end and new_dir is None:
        for name in os.listdir(board.flash_dir):
            path = os.path.join(board.flash_dir, name)
            if name.startswith("fw-") and name != old["folder"]:
                n = sum(len(fs) for _, _, fs in os.walk(path))
                if n >= 8:
                    new_dir = name
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    assert new_dir is not None, "the flash never started writing"
    n = sum(len(fs) for _, _, fs in os.walk(os.path.join(board.flash_dir, new_dir)))
    assert n < len(unix_build.files)  # really cut short
    board.power_cycle()
    info = deploy.handshake(board.port)["info"]
    assert info["folder"] == old["folder"]
    assert info["firmware_ok"] is True
    # And the next flash goes through, replacing the half-written folder.
    again = flash_with(board, unix_build)
    assert again["firmware_ok"] and again["folder"] != old["folder"]


def test_flash_without_a_board_asks_the_gun(board):
    """`meso flash` with no --board builds for the gun's own board: on a board never flashed
    the one whose MCU matches what its MicroPython says, after that the board its firmware
    names."""
    for _ in range(2):  # never flashed, then flashed with the unix firmware
        out = meso("flash", "--port", board.port)
        assert out.returncode == 0, out.stderr
        assert "for unix (host)" in out.stdout and "board unix" in out.stdout, out.stdout
    assert deploy.handshake(board.port)["info"]["board"] == "unix"
