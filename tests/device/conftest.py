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


def board_report(vb):
    """What the board did: its last spawns, readinesses and ends, and its last output."""
    t0 = vb.events[0][0] if vb.events else 0
    lines = ["%.3f s %s" % (t - t0, what) for t, what in vb.events]
    return "; ".join(lines) + "\nlast output: %r" % vb.output_tail[-600:]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing device test (setup included) carries its board's story in its report: the
    board's own print at teardown would never be shown for it."""
    outcome = yield
    rep = outcome.get_result()
    vb = getattr(item, "funcargs", {}).get("board")
    if rep.failed and isinstance(vb, VirtualBoard):
        rep.sections.append(("virtual board", board_report(vb)))


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
