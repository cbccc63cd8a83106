"""Store mode: upload, power-cycle the virtual device, it runs untethered, download the log."""

import json
import os
import time

from firmware.wire import messages as M
from host.link.session import Session
from tests.link.conftest import meso, write_protocol


def wait_status(port, until, timeout_s=20):
    s = Session.open(port)
    try:
        end = time.monotonic() + timeout_s
        while True:
            st = s.status()
            if until(st) or time.monotonic() > end:
                return st
            s.pump(50000)
    finally:
        s.close()


def test_upload_power_cycle_run_untethered_download_log(device, capsys, tmp_path):
    dev = device(speed=100)
    proto = write_protocol(tmp_path / "p.toml", points=40, zones=2)
    code, out, err = meso(capsys, "upload", proto, "--port", dev.port, "--yes")
    assert code == 0, err
    assert out.startswith("stored 'test' on sim-0001")
    st = wait_status(dev.port, lambda st: True)
    assert st["flags"] & M.FLAG_STORED and st["mode"] == M.MODE_IDLE and st["shots"] == 0
    assert dev.journal() == []  # stored, not run: nothing fired while tethered

    dev.stop()  # power off; the files stay
    again = device(speed=100, state_dir=dev.state_dir)
    st = wait_status(again.port, lambda st: st["mode"] == M.MODE_IDLE and st["shots"] > 0,
                     timeout_s=30)
    assert st["shots"] == 40 and st["mode"] == M.MODE_IDLE

    code, out, err = meso(capsys, "logs", "--port", again.port, "--json", "-")
    assert code == 0, err
    shots = json.loads(out)["shots"]
    assert len(shots) == 40
    assert [s["shot"] for s in shots] == list(range(1, 41))
    assert {s["zone"] for s in shots} == {0, 1} and not any(s["fault"] for s in shots)


def test_corrupt_stored_protocol_is_not_run(device, capsys, tmp_path):
    dev = device(speed=100)
    code, out, err = meso(capsys, "upload", write_protocol(tmp_path / "p.toml", points=40),
                          "--port", dev.port, "--yes")
    assert code == 0, err
    dev.stop()
    path = os.path.join(dev.state_dir, "protocol.bin")
    data = bytearray(open(path, "rb").read())
    data[40] ^= 0x01  # one bit of the JSON: the SHA-256 no longer matches
    open(path, "wb").write(bytes(data))
    again = device(speed=100, state_dir=dev.state_dir)
    time.sleep(0.5)
    st = wait_status(again.port, lambda st: True)
    assert not st["flags"] & M.FLAG_STORED and st["shots"] == 0 and st["mode"] == M.MODE_IDLE
