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


def mpremote(port, *args, timeout=30):
    """Run the real mpremote command against a port; return its stdout (fails on error)."""
    cmd = [os.path.join(BIN, "mpremote"), "connect", port] + list(args)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, out.stderr + out.stdout
    return out.stdout


def meso(*args, timeout=60):
    """Run the `meso` command; return the finished process (stdout, stderr, returncode)."""
    cmd = [os.path.join(BIN, "meso")] + list(args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
