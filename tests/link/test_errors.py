"""One-line errors for a user's mistakes and a failing link, and the gun's own link watch."""

import os
import subprocess
import sys
import threading
import time
import tty

from firmware.wire import PROTOCOL_VERSION, faults
from firmware.wire import messages as M
from firmware.wire.endpoint import Endpoint
from host.link.session import Session
from host.link.stream import StreamRun
from tests.link.conftest import ROOT, meso, write_protocol


def test_no_such_port(capsys):
    code, out, err = meso(capsys, "status", "--port", "/dev/no-such-mesogun")
    assert code == 1
    assert err.strip() == "meso: no such port: /dev/no-such-mesogun (see `meso ports`)"


def test_device_busy(device, capsys):
    dev = device()
    holder = Session.open(dev.port)
    try:
        code, out, err = meso(capsys, "status", "--port", dev.port)
    finally:
        holder.close()
    assert code == 1
    assert err.strip() == "meso: device busy: %s is in use by another program" % dev.port


def test_no_device_answers(capsys):
    master, slave = os.openpty()
    tty.setraw(slave)
    try:
        code, out, err = meso(capsys, "info", "--port", os.ttyname(slave))
    finally:
        os.close(master)
        os.close(slave)
    assert code == 1 and err.startswith("meso: no mesogun device answers on /dev/")


def test_wrong_protocol_version(capsys):
    """A device speaking a newer version answers HELLO; meso says what to update."""
    newer = PROTOCOL_VERSION + 1
    master, slave = os.openpty()
    tty.setraw(slave)
    stop = []

    def deliver(mid, tag, payload, n, fresh):
        if mid == M.HELLO:
            nonce, part = M.decode(mid, payload, n)
            ep.send_rt(M.IDENTITY, tag, (nonce, newer, 8, 247, 1, 0, 1), b"{}")

    ep = Endpoint(lambda data: os.write(master, bytes(data)), deliver, version=newer)

    def serve():
        os.set_blocking(master, False)
        while not stop:
            try:
                data = os.read(master, 512)
                ep.feed(data, len(data), 0)
            except BlockingIOError:
                time.sleep(0.005)

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    try:
        code, out, err = meso(capsys, "info", "--port", os.ttyname(slave))
    finally:
        stop.append(1)
        th.join(2)
        os.close(master)
        os.close(slave)
    assert code == 1
    assert err.strip().startswith("meso: wrong protocol version: the device on /dev/")
    assert "speaks version %d, this meso speaks %d; update the host" % (
        newer, PROTOCOL_VERSION) in err


def test_link_lost_mid_run_is_one_line(device, tmp_path):
    dev = device(speed=5)
    proto = write_protocol(tmp_path / "p.toml", points=100)
    proc = subprocess.Popen([sys.executable, "-m", "host.cli", "run", str(proto), "--port",
                             dev.port, "--screened-by", "test", "--log", str(tmp_path / "s.json")],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 10
    while not dev.journal() and time.monotonic() < deadline:
        time.sleep(0.05)
    dev.stop()  # the cable is pulled
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("meso: link lost:"), err
    assert "Traceback" not in err
    assert os.path.exists(tmp_path / "s.json")  # the shots so far are kept


def test_gun_stops_when_the_host_goes_silent(device, tmp_path):
    from host import protocol

    dev = device(speed=20)
    core = protocol.load(str(write_protocol(tmp_path / "p.toml", points=100))).core()
    s = Session.open(dev.port)

    class Gone(Exception):
        pass

    def vanish():
        if len(run.shots) >= 3:
            raise Gone()

    run = StreamRun(s, core, on_tick=vanish)
    try:
        run.run()
    except Gone:
        pass  # the host hangs: the port stays open, nothing more is sent
    time.sleep(2.5)
    stopped_at = len(dev.journal())
    time.sleep(0.5)  # 10 s of device time: a running gun would fire about 15 more shots
    assert len(dev.journal()) == stopped_at < 100
    s.close()
    s = Session.open(dev.port)
    try:
        st = s.status()
    finally:
        s.close()
    assert st["fault"] == faults.LINK_LOST and st["flags"] & M.FLAG_LINK_LOST
    assert st["flags"] & M.FLAG_ALARM


def test_ctrl_c_pauses_a_second_aborts_and_the_gun_goes_safe(device, tmp_path):
    from tests.link.meso_child import Child

    dev = device(speed=5)
    proto = write_protocol(tmp_path / "p.toml", points=100)
    c = Child("run", proto, "--port", dev.port, "--screened-by", "test", "--log",
              tmp_path / "s.json", "-v")
    try:
        c.expect(lambda line: line.startswith("shot    1 "), "the first shot")
        c.interrupt()
        c.expect(lambda line: line.startswith("Ctrl-C: the gun is paused"), "the pause")
        c.interrupt()
        code, out = c.finish()
    finally:
        c.kill()
    assert code == 1
    assert "Ctrl-C: sending ABORT" in out and "aborted" in out
    assert out.strip().splitlines()[-1] == "meso: run stopped: aborted: Ctrl-C"
    assert "go on with: meso run --resume " in out
    s = Session.open(dev.port)
    try:
        st = s.status()
    finally:
        s.close()
    assert st["fault"] == faults.ABORT and st["flags"] & M.FLAG_ALARM
    assert len(dev.journal()) < 100
