"""Gravimetric calibration against the simulated plant (known true bore), and its storage."""

import json
import os

import pytest

from firmware import board as boards
from host.errors import MesoError
from host.flash import calibrate
from sim.scale import PlantBench


@pytest.mark.parametrize("seed", [1, 3])
def test_calibration_recovers_the_true_bore(seed):
    bench = PlantBench(seed, calibrate.protocol)
    stored = {}
    b = boards.by_name("sim")
    found = calibrate.guided(bench.dispense, bench.weigh, stored.update, 1000000,
                             b.syringe(1).bore_um, shots=10, say=lambda *a: None)
    truth_ppm = 1e6 / bench.true_gain()
    # The plant's syringe is off nominal by more than the tolerance asked of the fit ...
    assert abs(truth_ppm - 1e6) > 1000
    # ... and the recovered correction lands within 0.05 % of the truth.
    assert abs(found["cal_ppm"] - truth_ppm) / truth_ppm < 5e-4, (found, truth_ppm)
    assert stored["cal_ppm"] == found["cal_ppm"]
    # The check run with the new correction delivers the commanded volume (one digit of the
    # 0.1 mg balance is 0.1 % of the run's 100 mg).
    assert abs(found["check_error_pct"]) < 0.15


def test_bad_weighing_is_refused_not_stored():
    runs = (calibrate.Run(10, 10, 100.0, 1.0), calibrate.Run(40, 10, 40.0, 1.0))  # g typed as mg
    with pytest.raises(MesoError, match="check the masses"):
        calibrate.fit(*runs)
    with pytest.raises(MesoError, match="different shot volumes"):
        calibrate.fit(runs[0], runs[0])


def test_settings_stored_signed_and_validated_on_the_gun(board, unix_build, tmp_path,
                                                         monkeypatch, capsys):
    from firmware import auth
    from host.flash import deploy
    from host.link import signed as service
    from tests.device.conftest import flash_with, run_meso

    monkeypatch.setenv("MESO_KEYS", str(tmp_path / "keys"))
    flash_with(board, unix_build)
    assert run_meso(capsys, "pair", "--port", board.port)[0] == 0
    s = service.SignedSession.open_signed(board.port)
    try:
        assert s.signer is not None
        s.send(auth.SETTINGS, (), json.dumps({"cal_ppm": 1012345, "backlash_um": 9}).encode())
        assert service.result(s, auth.SETTINGS, "settings") is not None
        # A bad table is refused whole, with the device's reason; nothing changes.
        s.send(auth.SETTINGS, (), json.dumps({"cal_ppm": 5, "colour": 1}).encode())
        with pytest.raises(MesoError, match="settings.cal_ppm: 5 is outside"):
            service.result(s, auth.SETTINGS, "settings")
    finally:
        s.close()
    with open(os.path.join(board.flash_dir, "data", "settings.json")) as f:
        assert json.load(f)["cal_ppm"] == 1012345
    board.power_cycle()
    assert deploy.handshake(board.port)["info"]["cal_ppm"] == 1012345


def test_meso_calibrate_end_to_end_on_a_paired_jig_board(tmp_path, monkeypatch, capsys,
                                                         unix_build):
    """The command over the port: signed streamed runs, masses in, correction stored."""
    from host.flash import deploy
    from sim.board import VirtualBoard
    from tests.device.conftest import flash_with, run_meso

    monkeypatch.setenv("MESO_KEYS", str(tmp_path / "keys"))
    with VirtualBoard(str(tmp_path / "flash"), jig=True) as vb:
        flash_with(vb, unix_build)
        assert run_meso(capsys, "pair", "--port", vb.port)[0] == 0
        # A balance reading a plunger that delivers 2 % more than it is told (2 shots a run).
        rc, out, err = run_meso(capsys, "calibrate", "--port", vb.port, "--shots", "2",
                                "--masses-mg", "20.4,81.6,20.0")
        assert rc == 0, err
        assert "1.0200 µL per µL" in out
        want = round(1e6 / 1.02)
        assert "stored cal_ppm %d" % want in out
        vb.power_cycle()
        assert deploy.handshake(vb.port)["info"]["cal_ppm"] == want


def test_meso_calibrate_through_the_port_recovers_the_served_plants_true_bore(
        tmp_path, monkeypatch, capsys):
    """The engineer's steps against `meso sim serve`: tare, run, read the balance, type it in;
    the correction stored on the gun is checked against the plant's true bore."""
    from host.flash import deploy
    from sim.scale import engineer, true_gain
    from sim.serve import Background
    from tests.device.conftest import run_meso

    water_1ml = calibrate.protocol(1, 10, 1)["protocol"]
    readings = []
    with Background(tmp_path / "gun", 2, water_1ml) as gun:
        monkeypatch.setattr("builtins.input", engineer(gun.device.balance, readings))
        assert deploy.handshake(gun.port)["info"]["cal_ppm"] == 1000000  # not calibrated yet
        rc, out, err = run_meso(capsys, "calibrate", "--port", gun.port, "--needle-mm", "5")
        assert rc == 1 and "--needle-mm 5: board sim takes 4, 6, 13 mm needles" in err, err
        assert not os.path.exists(tmp_path / "gun" / "settings.json") and readings == []
        rc, out, err = run_meso(capsys, "calibrate", "--port", gun.port, "--syringe-ml", "1")
        assert rc == 0, err
        truth_ppm = 1e6 / true_gain(gun.device.world, 1)
        with open(tmp_path / "gun" / "settings.json") as f:
            stored = json.load(f)
        info = deploy.handshake(gun.port)["info"]
        rc, shown, err = run_meso(capsys, "info", "--port", gun.port)
    assert rc == 0, err
    assert "cal_ppm %d), backlash" % stored["cal_ppm"] in shown
    assert "check" not in shown  # a served gun has no flashed files to check
    assert len(readings) == 3, readings
    assert abs(truth_ppm - 1e6) > 1000  # this plant's syringe is off nominal ...
    error = (stored["cal_ppm"] - truth_ppm) / truth_ppm
    assert abs(error) < 5e-4, (stored, truth_ppm)  # ... and the stored correction is not
    assert info["cal_ppm"] == stored["cal_ppm"]
    # The check run, weighed, delivered the commanded 10 x 10 µL to within 0.2 %.
    assert abs(readings[2] - 100.0) < 0.2, readings
    # The gun keeps its calibration through a power cycle, and doses with it.
    from host.link.session import Session
    from host.link.stream import StreamRun

    with Background(tmp_path / "gun", 2, water_1ml) as gun:
        assert deploy.handshake(gun.port)["info"]["cal_ppm"] == stored["cal_ppm"]
        s = Session.open(gun.port)
        try:
            run = StreamRun(s, calibrate.protocol(10, 10, 1), lookahead=1,
                            before_zone=lambda zone: gun.device.balance.tare())
            assert run.run() == "done"
        finally:
            s.close()
        assert abs(gun.device.balance.read_mg() - 100.0) < 0.2


WATER_1ML = """[protocol]
name = "calibration water"
syringe_ml = 1
needle_mm = 4
needle_gauge = 30
viscosity_mpas = 1

[[zone]]
name = "any"
mode = "point"
points = 1
depth_mm = 1.0
dose_ul = 10
pace_ms = 1500
"""


def test_two_terminals_meso_sim_serve_balance_and_meso_calibrate(tmp_path):
    """The rehearsal an engineer does without hardware: `meso sim serve --balance` in one
    terminal prints what the balance weighs after each zone; `meso calibrate` in the other
    asks for it. Both are the installed command, in their own processes."""
    import subprocess

    from sim.scale import true_gain
    from sim.world import World
    from tests.device.conftest import BIN

    fitted = tmp_path / "water.toml"
    fitted.write_text(WATER_1ML)
    state = tmp_path / "gun"
    serve = subprocess.Popen([os.path.join(BIN, "meso"), "sim", "serve", "--balance", "--seed",
                              "3", "--speed", "50", "--fitted", str(fitted), "--state",
                              str(state)], stdout=subprocess.PIPE, text=True)
    cal = None
    try:
        port = serve.stdout.readline().strip()
        assert port.startswith("/dev/"), port
        cal = subprocess.Popen([os.path.join(BIN, "meso"), "calibrate", "--port", port,
                                "--syringe-ml", "1", "--shots", "5"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        weighed = []
        while len(weighed) < 3:
            line = serve.stdout.readline()
            assert line, "the served gun stopped printing"
            assert line.startswith("balance: zone "), line
            if line.startswith("balance: zone prime:"):
                cal.stdin.write("\n")  # emptied the container, tared: go on
            else:
                weighed.append(float(line.split(":")[2].split()[0]))
                cal.stdin.write("%.1f\n" % weighed[-1])
            cal.stdin.flush()
        out, err = cal.communicate(timeout=60)
    finally:
        if cal is not None and cal.poll() is None:
            cal.kill()
        serve.kill()
        serve.wait(5)
    assert cal.returncode == 0, err
    assert "stored cal_ppm" in out
    with open(state / "settings.json") as f:
        stored = json.load(f)
    # The served plant is drawn from its seed: the same draw here gives its true bore.
    head = {"syringe_ml": 1, "needle_mm": 4, "needle_gauge": 30, "viscosity_mpas": 1}
    truth_ppm = 1e6 / true_gain(World(boards.by_name("sim"), head, 3), 1)
    assert abs(stored["cal_ppm"] - truth_ppm) / truth_ppm < 1e-3, (stored, truth_ppm, weighed)
    assert abs(weighed[2] - 50.0) < 0.2  # the check run: 5 x 10 µL
