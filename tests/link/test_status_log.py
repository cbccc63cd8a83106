"""`meso status` counts the shots in the gun's log as `meso logs` does, across a power cycle."""

import json

from tests.link.conftest import meso, write_protocol


def test_status_counts_the_journal_after_a_power_cycle(device, capsys, tmp_path):
    dev = device(speed=100)
    proto = write_protocol(tmp_path / "p.toml", points=6, pace_ms=600)
    code, out, err = meso(capsys, "run", proto, "--port", dev.port, "--screened-by", "t",
                          "--yes", "--log", tmp_path / "s.json")
    assert code == 0, err
    dev.stop()  # power off: STATUS's own count starts again from 0, the journal stays
    again = device(speed=100, state_dir=dev.state_dir)
    code, out, err = meso(capsys, "logs", "--port", again.port, "--json", "-")
    assert code == 0, err
    assert len(json.loads(out)["shots"]) == 6
    code, out, err = meso(capsys, "status", "--port", again.port)
    assert code == 0, err
    assert "6 in the log (0 since power-up)" in out  # it said "0 in the log"
    code, out, err = meso(capsys, "status", "--port", again.port, "--json")
    doc = json.loads(out)
    assert doc["command"] == "status" and doc["journal_records"] == 6
    assert doc["status"]["log_count"] == 0
