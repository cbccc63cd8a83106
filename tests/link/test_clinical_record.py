"""`meso run` against a served gun keeps the clinical record in its session log: who, what
product and lots, when, the gun and its calibration, screening in words, warnings' text."""

import json
import subprocess
import sys

from tests.link.conftest import ROOT, meso, write_protocol

LONG = "left nasolabial fold, upper"


def test_run_keeps_the_clinical_record(device, tmp_path):
    proto = write_protocol(tmp_path / "p.toml", points=4, pace_ms=1000)
    text = proto.read_text().replace("dose_ul = 10", "dose_ul = 60")  # past the usual dose
    text = text.replace('name = "z0"', 'name = "%s"' % LONG)  # more than 16 characters
    proto.write_text(text.replace('name = "test"', 'name = "test"\nproduct = "Booster X"'))
    dev = device(speed=100, fitted=proto)
    log = tmp_path / "s.json"
    proc = subprocess.run(
        [sys.executable, "-m", "host.cli", "run", str(proto), "--port", dev.port, "--yes",
         "--log", str(log), "--patient", "P-0042", "--practitioner", "Dr Moreau",
         "--lot", "HA-2291", "--expiry", "2099-12", "--syringe-lot", "S1",
         "--needle-lot", "N1"],
        input="n\n" * 8, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "Clinical record incomplete" not in proc.stdout + proc.stderr
    assert ("  %s " % LONG) in proc.stdout  # the summary's zone line keeps the whole name
    rec = json.loads(log.read_text())["record"]
    assert (rec["patient_ref"], rec["practitioner"], rec["product"], rec["product_lot"],
            rec["product_expiry"], rec["syringe_lot"], rec["needle_lot"]) == (
        "P-0042", "Dr Moreau", "Booster X", "HA-2291", "2099-12-31", "S1", "N1")
    assert rec["missing"] == [] and rec["session_start"] <= rec["session_end"]
    assert rec["gun"]["device_id"] == "sim-0001" and rec["gun"]["board"] == "sim"
    assert rec["gun"]["firmware"] and rec["gun"]["calibration"]["cal_ppm"] > 0
    s = rec["screening"]
    assert s["method"] == "asked" and s["screened_by"] == "Dr Moreau"
    assert len(s["questions"]) == 8 and {q["answer"] for q in s["questions"]} == {"no"}
    assert any("dose_ul" in w for w in rec["accepted_warnings"])


def test_an_expired_product_stops_before_the_port(tmp_path):
    proto = write_protocol(tmp_path / "p.toml", points=4)
    proc = subprocess.run(
        [sys.executable, "-m", "host.cli", "run", str(proto), "--port", "/dev/ttyNOPE",
         "--expiry", "2001-01-01"], capture_output=True, text=True, timeout=60, cwd=ROOT,
        stdin=subprocess.DEVNULL)
    assert proc.returncode == 1
    assert proc.stderr.strip() == ("meso: --expiry 2001-01-01: the product expired on "
                                   "2001-01-01; a product past its expiry is not injected "
                                   "(use a lot within its date)")


def test_upload_keeps_the_record_and_refuses_an_expired_lot(device, tmp_path, capsys):
    import os

    dev = device(speed=100)
    proto = write_protocol(tmp_path / "p.toml", points=4)
    log = tmp_path / "stored.json"
    code, out, err = meso(capsys, "upload", proto, "--port", dev.port, "--yes", "--log", log,
                          "--expiry", "2001-01", "--patient", "P-9")
    assert code == 1 and "expired on 2001-01-31" in err
    assert not os.path.exists(os.path.join(dev.state_dir, "protocol.bin"))  # nothing stored
    code, out, err = meso(capsys, "upload", proto, "--port", dev.port, "--yes", "--log", log,
                          "--patient", "P-9", "--practitioner", "Dr M", "--lot", "L1",
                          "--expiry", "2099-01-01", "--syringe-lot", "S", "--needle-lot", "N")
    assert code == 0, err
    doc = json.loads(log.read_text())
    assert doc["summary"]["outcome"] == "stored, not yet run" and doc["shots"] == []
    assert doc["record"]["patient_ref"] == "P-9" and doc["record"]["gun"]["board"] == "sim"
    assert os.path.exists(os.path.join(dev.state_dir, "protocol.bin"))
