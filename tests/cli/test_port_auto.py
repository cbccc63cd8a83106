"""`--port auto` (the default): the one attached gun is found, served guns included; none or
several is one line naming what was found; the port is settled before any question."""

import os
import subprocess
import sys

import pytest

from .test_errors import TINY  # the same tiny protocol as the other CLI mistakes

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if k not in ("MESO_PORT", "MESO_DEBUG")}
    e["MESO_RUNTIME_DIR"] = str(tmp_path / "run")  # this test's served guns only
    return e


@pytest.fixture
def serve(tmp_path, env):
    procs = []

    def start():
        state = tmp_path / ("gun%d" % len(procs))
        p = subprocess.Popen([sys.executable, "-m", "host.cli", "sim", "serve", "--speed", "50",
                              "--state", str(state)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             text=True)
        procs.append(p)
        port = p.stdout.readline().strip()
        assert port.startswith("/dev/"), port
        return port

    yield start
    for p in procs:
        p.kill()
        p.wait(10)


def meso(env, *argv):
    return subprocess.run([sys.executable, "-m", "host.cli", *map(str, argv)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def test_the_one_served_gun_is_found_without_port(env, serve):
    port = serve()
    r = meso(env, "info")
    assert r.returncode == 0, r.stderr
    assert "device      sim-0001 on %s" % port in r.stdout
    r = meso(env, "logs")
    assert r.returncode == 0 and "shots in the device's log" in r.stdout, r.stderr
    r = meso(env, "ports")
    assert "%s" % port in r.stdout and "served virtual gun" in r.stdout


def test_no_gun_is_one_line_before_any_question(env, tmp_path):
    (tmp_path / "t.toml").write_text(TINY)
    for argv in (["info"], ["logs"], ["run", tmp_path / "t.toml"]):
        r = meso(env, *argv)
        assert r.returncode == 1, r
        assert r.stderr.startswith("meso: no mesogun found") and r.stderr.count("\n") == 1, r
        assert r.stdout == ""  # no screening question was asked before the port was settled


def test_two_guns_are_listed_and_none_is_chosen(env, serve):
    a, b = serve(), serve()
    r = meso(env, "info")
    assert r.returncode == 1
    line = r.stderr.strip()
    assert line.startswith("meso: 2 mesoguns found") and a in line and b in line, line
    assert "--port" in line
    r = meso(env, "info", "--port", b)  # an explicit port still wins
    assert r.returncode == 0 and "on %s" % b in r.stdout


def test_an_entry_whose_server_has_gone_is_dropped(env, tmp_path, monkeypatch):
    from host.link import discover

    monkeypatch.setenv("MESO_RUNTIME_DIR", env["MESO_RUNTIME_DIR"])
    # A served gun killed without cleaning up: its pid is gone, its pty may be reused.
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    entry = discover.register("/dev/null", pid=dead.pid)
    assert discover.served() == [] and not os.path.lexists(entry)
    entry = discover.register("/dev/null")  # this process: alive
    assert discover.served() == ["/dev/null"]
    discover.unregister(entry)
