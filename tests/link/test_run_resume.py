"""A session a practitioner can finish, through the real `meso` against `meso sim serve`: a
fault acknowledged at the prompt, Ctrl-C at shot K then `--resume`, a gun power-cut then
`--resume`. Each time the served gun's own journal must show every point given exactly once.

Every step waits for what the child prints (shot K, the question), never for a time.
No test names a port: the one served gun is found (`--port auto`) in the test's own
runtime folder.
"""

import collections
import json
import os

import pytest

from firmware.wire import record
from tests.link.conftest import write_protocol
from tests.link.meso_child import Child, meso

ZONES = 3
POINTS = 24  # in all, 8 a zone
# Ctrl-C at shot K leaves 13 points or more: the pause always comes before the end.
SPEED = 20


@pytest.fixture(autouse=True)
def runtime(tmp_path, monkeypatch):
    monkeypatch.setenv("MESO_RUNTIME_DIR", str(tmp_path / "run"))


def shot_line(k):
    return lambda line: line.startswith("shot %4d " % k)


def given_once(dev, log_path):
    """Check the gun's journal: every point of the session given exactly once. A power cut
    can take the last records from the journal before the gun wrote them (they live in RAM
    until the shot is over; the gun then logs the cut shot at power-up as given nothing); the
    ones its telemetry had brought are the log's, so a part's log shots whose point its
    journal does not show given are counted too."""
    with open(log_path) as f:
        doc = json.load(f)
    with open(os.path.join(dev.state_dir, "shots.log"), "rb") as f:
        data = f.read()
    parts = doc["parts"]
    counted = collections.Counter()
    logged = 0
    for i, part in enumerate(parts):
        end = parts[i + 1]["journal_start"] if i + 1 < len(parts) else len(data)
        z0, i0 = part["first"]
        in_journal = collections.Counter()
        for r in record.read_journal(data[part["journal_start"]:end]):
            if r["fault"] == 0 or r["delivered_nl"] > 0:  # the point was (partly) given
                in_journal[(r["zone"] + z0, r["index"] + (i0 if r["zone"] == 0 else 0))] += 1
        counted.update(in_journal)
        mine = doc["shots"][logged:logged + part["shots"]]
        logged += part["shots"]
        for r in mine:
            given = r["fault"] is None or r["delivered_ul"] > 0
            if given and (r["zone"], r["index"]) not in in_journal:
                counted[(r["zone"], r["index"])] += 1
    per = POINTS // ZONES
    want = {(z, i): 1 for z in range(ZONES) for i in range(per)}
    assert dict(counted) == want, (parts, counted)
    return doc


def run_child(proto, log, *extra):
    return Child("run", proto, "--screened-by", "test", "--log", log, "-v", *extra)


def test_a_fault_acknowledged_at_the_prompt_and_the_session_completes(tmp_path, device):
    proto = write_protocol(tmp_path / "p.toml", points=POINTS, zones=ZONES)
    dev = device(speed=SPEED, extra=["--fault", "occlusion#4"])
    log = tmp_path / "s.json"
    c = run_child(proto, log)
    try:
        c.expect(lambda line: line.startswith("FAULT: occlusion"), "the fault")
        c.expect(lambda line: "latched" in line, "what the gun did")
        c.send("a\n")
        code, out = c.finish()
    finally:
        c.kill()
    assert code == 0, out
    # The occluded point was partly given: it counts, and is not given again.
    assert "acknowledged" in out and "done, 24/24 shots" in out and "1 fault" in out
    doc = given_once(dev, log)
    assert [r["fault"] for r in doc["shots"]].count("occlusion") == 1
    assert doc["summary"]["outcome"] == "done"


@pytest.mark.parametrize("k,how", [(1, "stop"), (6, "abort"), (8, "stop"), (11, "abort")])
def test_ctrl_c_at_shot_k_then_resume_gives_every_point_once(tmp_path, device, k, how):
    proto = write_protocol(tmp_path / "p.toml", points=POINTS, zones=ZONES)
    dev = device(speed=SPEED)
    log = tmp_path / "s.json"
    c = run_child(proto, log)
    try:
        c.expect(shot_line(k), "shot %d" % k)
        c.interrupt()
        c.expect(lambda line: line.startswith("Ctrl-C: the gun is paused"), "the pause")
        if how == "stop":
            c.send("s\n")
        else:
            c.interrupt()  # a second Ctrl-C at the question aborts
        code, out = c.finish()
    finally:
        c.kill()
    assert code == 1 and "--resume" in out, out
    code, out = meso("run", "--resume", log, "-v")
    assert code == 0, out
    assert "resuming at point" in out
    doc = given_once(dev, log)
    assert len(doc["parts"]) == 2 and doc["summary"]["outcome"] == "done"
    # Resuming a finished session gives nothing.
    code, out = meso("run", "--resume", log)
    assert code == 0 and "every point of this session was given already" in out, out


def test_a_gun_power_cut_at_shot_k_then_resume_gives_every_point_once(tmp_path, device):
    proto = write_protocol(tmp_path / "p.toml", points=POINTS, zones=ZONES)
    state = tmp_path / "gun"
    dev = device(speed=SPEED, state_dir=state)
    log = tmp_path / "s.json"
    c = run_child(proto, log)
    try:
        c.expect(shot_line(5), "shot 5")
        dev.stop()  # the power fails: the process ends, its files stay
        code, out = c.finish()
    finally:
        c.kill()
    assert code == 1 and "link lost" in out, out
    dev = device(speed=SPEED, state_dir=state)  # powered again, on another pty: found all the same
    journal = os.path.getsize(os.path.join(dev.state_dir, "shots.log"))
    # A fresh run on a gun holding the interrupted session is refused, saying the way on:
    # it would give the points already given again.
    code, out = meso("run", str(proto), "--screened-by", "test", "--log", tmp_path / "new.json")
    assert code == 1 and "holds a session interrupted by a power cut" in out, out
    assert "meso run --resume LOG" in out and "Traceback" not in out, out
    assert os.path.getsize(os.path.join(dev.state_dir, "shots.log")) == journal
    code, out = meso("run", "--resume", log, "-v")
    assert code == 0, out
    given_once(dev, log)


def test_resume_refuses_another_protocol_in_one_line(tmp_path, device):
    proto = write_protocol(tmp_path / "p.toml", points=POINTS, zones=ZONES)
    device(speed=SPEED)
    log = tmp_path / "s.json"
    c = run_child(proto, log)
    try:
        c.expect(shot_line(2), "shot 2")
        c.interrupt()
        c.expect(lambda line: line.startswith("Ctrl-C: the gun is paused"), "the pause")
        c.send("s\n")
        c.finish()
    finally:
        c.kill()
    other = write_protocol(tmp_path / "other.toml", points=POINTS, zones=ZONES, pace_ms=700)
    code, out = meso("run", other, "--resume", log)
    assert code == 1
    assert out.strip().splitlines()[-1].startswith("meso: cannot resume %s: the protocol "
                                                   "differs" % log), out


def test_on_a_terminal_p_pauses_and_enter_resumes(tmp_path, device):
    import pty
    import re
    import select
    import subprocess
    import sys
    import time

    from tests.link.meso_child import ROOT, WAIT_S, env

    proto = write_protocol(tmp_path / "p.toml", points=POINTS, zones=ZONES)
    dev = device(speed=SPEED)
    log = tmp_path / "s.json"
    master, slave = pty.openpty()
    # The clinical record given whole, so the terminal is asked nothing before the session.
    record = ["--patient", "P-1", "--practitioner", "Dr T", "--product", "saline",
              "--lot", "L1", "--expiry", "2099-12", "--syringe-lot", "S1", "--needle-lot", "N1"]
    p = subprocess.Popen([sys.executable, "-m", "host.cli", "run", str(proto), "--screened-by",
                          "test", "--log", str(log), *record], cwd=ROOT, env=env(),
                         stdin=slave, stdout=slave, stderr=slave)
    os.close(slave)
    seen = [""]

    def until(text):
        end = time.monotonic() + WAIT_S
        while text not in seen[0]:
            assert time.monotonic() < end and p.poll() is None, seen[0]
            if select.select([master], [], [], 0.2)[0]:
                try:
                    data = os.read(master, 65536).decode(errors="replace")
                except OSError:
                    data = ""
                seen[0] += re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", data)

    try:
        until(" of 24 in all")  # the live view shows a point given
        os.write(master, b"p")
        until("Ctrl-C: abort ")  # the question is on the screen
        paused_at = len(dev.journal())
        os.write(master, b"\n")
        until("session log:")
        assert p.wait(WAIT_S) == 0, seen[0]
    finally:
        if p.poll() is None:
            p.kill()
            p.wait(10)
        os.close(master)
    assert 0 < paused_at < POINTS and "zone       z2" in seen[0]
    given_once(dev, log)


def test_a_laptop_crash_at_shot_k_then_resume_gives_every_point_once(tmp_path, device):
    """The host is killed: the gun goes on with what was released until it misses the link,
    shots the log never heard of. The resume finds them in the gun's journal."""
    proto = write_protocol(tmp_path / "p.toml", points=POINTS, zones=ZONES)
    dev = device(speed=SPEED)
    log = tmp_path / "s.json"
    c = run_child(proto, log)
    try:
        c.expect(shot_line(3), "shot 3")
        c.kill()  # no Ctrl-C, no goodbye: the log holds what was written by then
    finally:
        c.kill()
    c = Child("run", "--resume", log, "-v")
    try:
        # The gun stopped itself (a new host, or silence) and holds link_lost.
        c.expect(lambda line: line.startswith("FAULT: link_lost"), "the latched fault")
        c.send("a\n")
        code, out = c.finish()
    finally:
        c.kill()
    assert code == 0, out
    given_once(dev, log)
