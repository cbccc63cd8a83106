"""Virtual devices for the link tests: `meso sim serve` child processes on pseudo-terminals."""

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Device:
    def __init__(self, state_dir, speed, extra):
        self.state_dir = str(state_dir)
        self.speed = speed
        self.extra = list(extra)
        self.proc = None
        self.port = None

    def start(self):
        cmd = [sys.executable, "-m", "host.cli", "sim", "serve", "--speed", str(self.speed),
               "--state", self.state_dir] + self.extra
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self.port = self.proc.stdout.readline().strip()
        assert self.port.startswith("/dev/"), self.port
        return self

    def stop(self):
        """Power off: the process ends, only its files remain."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(5)
            self.proc = None

    def journal(self):
        from firmware import shotlog

        path = os.path.join(self.state_dir, "shots.log")
        if not os.path.exists(path):
            return []
        with open(path, "rb") as f:
            return shotlog.read_journal(f.read())


@pytest.fixture
def device(tmp_path):
    made = []

    def make(speed=50, extra=(), state_dir=None, fitted=None):
        """A virtual device; fitted: the protocol file whose syringe, needle and fluid it
        carries (default: the test protocol's water)."""
        if fitted is None:
            fitted = write_protocol(tmp_path / "fitted.toml")
        extra = ["--fitted", str(fitted)] + list(extra)
        d = Device(state_dir or tmp_path / ("device%d" % len(made)), speed, extra).start()
        made.append(d)
        return d

    yield make
    for d in made:
        d.stop()


def meso(capsys, *argv):
    """Run `meso ARGS` in this process: (exit code, stdout, stderr)."""
    from host.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write_protocol(path, points=100, pace_ms=600, zones=1):
    """A point-mode protocol in water: the board's default flow passes the needle."""
    body = ['[protocol]\nname = "test"\nsyringe_ml = 3\nneedle_mm = 4\nneedle_gauge = 32\n'
            'viscosity_mpas = 1\n']
    per = points // zones
    for i in range(zones):
        body.append('[[zone]]\nname = "z%d"\nmode = "point"\npoints = %d\ndepth_mm = 1.0\n'
                    'dose_ul = 10\npace_ms = %d\n' % (i, per, pace_ms))
    path.write_text("\n".join(body))
    return path
