"""Fixtures for the device tests: a virtual board on a pseudo-terminal with a fresh flash."""

import os
import subprocess
import sys

import pytest

from sim.board import VirtualBoard

BIN = os.path.dirname(sys.executable)


@pytest.fixture
def board(tmp_path):
    vb = VirtualBoard(str(tmp_path / "flash"))
    vb.start()
    yield vb
    vb.stop()
    report_board(vb)


def report_board(vb):
    """What the board did, printed at teardown: pytest shows it with a failing test."""
    t0 = vb.events[0][0] if vb.events else 0
    for t, what in vb.events:
        print("board %.3f s: %s" % (t - t0, what))
    print("board output, last bytes: %r" % vb.output_tail[-1500:])


def mpremote(port, *args, timeout=30):
    """Run the real mpremote command against a port; return its stdout (fails on error)."""
    cmd = [os.path.join(BIN, "mpremote"), "connect", port] + list(args)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr + out.stdout
    return out.stdout


def run_meso(capsys, *args):
    """Run a `meso` command in this process: (exit code, stdout, stderr)."""
    from host.cli import main

    capsys.readouterr()
    rc = main(list(args))
    out = capsys.readouterr()
    return rc, out.out, out.err


def meso(*args, timeout=60):
    """Run the `meso` command; return the finished process (stdout, stderr, returncode)."""
    cmd = [os.path.join(BIN, "meso")] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def unix_build():
    """One firmware build for the unix board, shared by the tests that only deploy it."""
    from host.flash.build import build

    return build("unix")


def flash_with(board_, build_):
    """Deploy a build to a virtual board through the library and wait for its handshake."""
    from host.flash import deploy

    folder = deploy.deploy(board_.port, build_, say=lambda *a: None)
    info = deploy.handshake(board_.port)["info"]
    assert info["folder"] == folder
    return info
