"""host <-> pseudo-terminal <-> virtual device through real pyserial, whole protocols."""

import json
import os

from firmware.shot import STATE_NAMES
from firmware.wire import PROTOCOL_VERSION, faults
from firmware.wire import messages as M
from host.link.stream import shot_record
from tests.link.conftest import ROOT, meso, write_protocol


def test_face_protocol_streams_and_host_log_equals_device_log(device, tmp_path, capsys,
                                                             monkeypatch):
    face = os.path.join(ROOT, "examples", "face.toml")
    # The line's charge (counted from priming) and the reserve leave room for the whole
    # session in one 3 mL fill, as `meso plan` says: no refill prompt.
    asked = []
    monkeypatch.setattr("builtins.input", lambda prompt: asked.append(prompt) or "")
    dev = device(speed=100, fitted=face)
    log = tmp_path / "face.session.json"
    code, out, err = meso(capsys, "run", face, "--port", dev.port, "--screened-by", "test",
                          "--yes", "--log", log)
    assert code == 0, err
    assert "done, 274/274 shots" in out and "0 faults" in out
    assert asked == [], asked
    host_shots = json.loads(log.read_text())["shots"]
    device_shots = [shot_record(r) for r in dev.journal()]
    assert len(host_shots) == 274
    assert host_shots == device_shots
    # every point once, in order
    assert [(s["zone"], s["index"]) for s in host_shots] == sorted(
        (s["zone"], s["index"]) for s in host_shots)
    assert len({(s["zone"], s["index"]) for s in host_shots}) == 274
    # and `meso logs` downloads the same journal over the link
    code, out, err = meso(capsys, "logs", "--port", dev.port, "--json", "-")
    assert code == 0, err
    downloaded = json.loads(out)["shots"]
    assert [dict((k, v) for k, v in s.items() if k != "shot") for s in downloaded] == host_shots


def test_info_and_status(device, capsys):
    dev = device()
    code, out, err = meso(capsys, "info", "--port", dev.port, "--json")
    assert code == 0, err
    ident = json.loads(out)
    assert ident["protocol_version"] == PROTOCOL_VERSION and ident["info"]["board"] == "sim"
    assert ident["info"]["limits"]["dose_max_ul"] == 500
    code, out, err = meso(capsys, "status", "--port", dev.port)
    assert code == 0 and "state idle" in out


def test_abort_mid_run_stops_the_gun(device, tmp_path):
    from host import protocol
    from host.link.session import Session
    from host.link.stream import StreamRun

    dev = device(speed=20)
    core = protocol.load(str(write_protocol(tmp_path / "p.toml", points=50))).core()
    s = Session.open(dev.port)
    try:
        run = StreamRun(s, core)
        run.on_tick = lambda: len(run.shots) >= 5 and run.outcome is None and run.abort()
        run.run()
        assert run.outcome == "aborted"
        st = s.status()
        assert st["fault"] == faults.ABORT
        n = st["log_count"]
        for _ in range(20):
            s.pump(20000)
        assert s.status()["log_count"] == n  # nothing fires after the abort
        # Acknowledged from the host, the gun re-arms but stays paused under the host's
        # control: no shot until the host releases a zone again.
        s.send(M.ACK_FAULT)
        s.flush()
        for _ in range(40):
            s.pump(20000)
        st = s.status()
        assert st["log_count"] == n and st["mode"] == M.MODE_STREAM
        assert STATE_NAMES[st["state"]] == "paused"
        s.send(M.RUN_ZONE, (st["zone"],))
        for _ in range(100):
            s.pump(20000)
            if s.status()["log_count"] > n:
                break
        assert s.status()["log_count"] > n  # released: the session goes on
    finally:
        s.close()
    assert 5 <= len(dev.journal()) < 50
