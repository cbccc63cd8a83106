"""The clinical record: collected and checked (host/cliutil/record.py), then rendered as a
report and a patient handout, HTML and PDF; the PDFs' text is read back with pypdf."""

import argparse
import datetime
import json
import pathlib

import pypdf
import pytest

from host.cli import main
from host.cliutil import record
from host.errors import MesoError
from host.screening import screen

ROOT = pathlib.Path(__file__).parents[2]
NOW = datetime.datetime(2026, 12, 1, 10, 30, tzinfo=datetime.UTC)
GIVEN = {"patient_ref": "P-0042", "practitioner": "Dr A. Moreau", "product_lot": "HA-2291",
         "product_expiry": "2027-03", "syringe_lot": "SY 77/1", "needle_lot": "N-32G-5"}


def args(**kw):
    return argparse.Namespace(**{"record_" + f: kw.get(f) for f, _, _ in record.FIELDS})


def test_collect_checks_and_defaults_the_product():
    rec = record.collect(args(**GIVEN), {"product": "HA 1.5 %"}, now=NOW, tty=False)
    assert rec["product"] == "HA 1.5 %" and rec["missing"] == []
    assert rec["product_expiry"] == "2027-03-31"  # a month: usable to its last day
    assert rec["session_start"] == "2026-12-01T10:30:00+00:00"


@pytest.mark.parametrize("field,value,message", [
    ("product_expiry", "2026-11-30", "expired on 2026-11-30"),
    ("product_expiry", "2026-11", "expired on 2026-11-30"),
    ("product_expiry", "next year", "YYYY-MM-DD"),
    ("product_lot", "lot;drop", "--lot 'lot;drop': a lot is 1-40"),
    ("practitioner", "   ", "--practitioner: empty"),
    ("patient_ref", "x" * 81, "--patient: 81 characters; at most 80"),
])
def test_collect_refuses_bad_values(field, value, message):
    with pytest.raises(MesoError, match=message.replace("(", r"\(")):
        record.collect(args(**dict(GIVEN, **{field: value})), {}, now=NOW, tty=False)


def test_collect_asks_on_a_terminal_and_leaves_gaps_off_one():
    asked = []

    def ask(q):
        asked.append(q)
        return {"Product name: ": "Booster"}.get(q, "ans-1")

    rec = record.collect(args(patient_ref="P-1", product_expiry="2027-01-01"), {}, now=NOW,
                         ask=ask, tty=True)
    assert [q.split(" (")[0].rstrip(": ") for q in asked] == [
        "Practitioner", "Product name", "Product lot", "Syringe lot", "Needle lot"]
    assert rec["product"] == "Booster" and rec["needle_lot"] == "ans-1"
    rec = record.collect(args(patient_ref="P-1"), {}, now=NOW, tty=False)
    assert rec["practitioner"] is None and "--practitioner" in rec["missing"]
    assert "--patient" not in rec["missing"]


def test_screening_in_words_and_who_screened():
    answers = iter(["n"] * 8)
    s = screen(ask=lambda q: next(answers), out=lambda *a: None)
    assert s["questions"][2] == {"key": "oncology", "answer": "no",
                                 "question": "Does the patient have an oncological disease?"}
    rec = record.finish(record.collect(args(**GIVEN), {}, now=NOW, tty=False),
                        {"info": {"device_id": "g1", "board": "pico", "firmware": "0.2",
                                  "source_commit": "abc1234", "cal_ppm": 1002000,
                                  "backlash_um": 12}}, s, ["w1: text"])
    assert rec["screening"]["screened_by"] == "Dr A. Moreau"  # asked by who ran it
    assert rec["gun"] == {"device_id": "g1", "board": "pico", "firmware": "0.2",
                          "source_commit": "abc1234",
                          "calibration": {"cal_ppm": 1002000, "backlash_um": 12}}
    assert rec["accepted_warnings"] == ["w1: text"]


def pdf_text(path):
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(str(path)).pages)


def clinical_log(tmp_path, **overrides):
    answers = iter(["n"] * 8)
    s = screen(ask=lambda q: next(answers), out=lambda *a: None)
    rec = record.finish(record.collect(args(**dict(GIVEN, **overrides)), {"product": "HA 1.5 %"},
                                       now=NOW, tty=False),
                        {"info": {"device_id": "gun-7", "board": "pico", "firmware": "0.2",
                                  "cal_ppm": 1002000, "backlash_um": 12}}, s,
                        ["p.toml:9: zone[0].dose_ul: 60 beyond the usual 20-50 µL"])
    core = {"protocol": {"name": "Face", "syringe_ml": 3, "needle_mm": 4, "needle_gauge": 32,
                         "viscosity_mpas": 20},
            "zone": [{"name": "forehead", "mode": "point", "points": 2, "depth_mm": 1,
                      "dose_ul": 10, "pace_ms": 800}]}
    shots = [{"zone": 0, "index": i, "commanded_ul": 10.0, "delivered_ul": 9.9,
              "depth_mm": 1.0, "t_start_s": i, "fault": None} for i in range(2)]
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"shots": shots, "protocol": core, "record": rec,
                                "summary": {"outcome": "done"}}))
    return path


def test_report_and_handout_pdfs(tmp_path, capsys):
    log = clinical_log(tmp_path)
    out = tmp_path / "r.html"
    assert main(["report", str(log), "-o", str(out), "--pdf"]) == 0, capsys.readouterr().err
    text = pdf_text(tmp_path / "r.pdf")
    for want in ("Clinical record: Face", "P-0042", "Dr A. Moreau", "HA 1.5 %", "HA-2291",
                 "2027-03-31", "SY 77/1", "N-32G-5", "gun-7", "pico", "plunger x1.002000",
                 "Does the patient have an oncological disease?", "screened by",
                 "zone[0].dose_ul: 60 beyond the usual", "estimated by the gun's firmware",
                 "(estimate)", "2026-12-01 10:30 UTC"):
        assert want in " ".join(text.split()), want
    assert "SPF 30" not in text  # aftercare is the patient's sheet
    care = " ".join(pdf_text(tmp_path / "r-handout.pdf").split())
    assert "After your treatment" in care and "SPF 30" in care and "1 December 2026" in care
    assert "forehead" in care and "Dr A. Moreau" in care
    for engineering in ("commanded", "cal_ppm", "firmware", "P-0042"):
        assert engineering not in care, engineering


def test_missing_fields_are_marked_not_invented(tmp_path, capsys):
    log = clinical_log(tmp_path, product_lot=None, needle_lot=None)
    assert main(["report", str(log), "-o", str(tmp_path / "r.html"), "--pdf"]) == 0
    text = " ".join(pdf_text(tmp_path / "r.pdf").split())
    assert "Not recorded: Product lot, Needle lot." in text
    assert "Firmware source commit not recorded" in text


def test_simulator_figures_are_labelled_simulated(tmp_path, capsys):
    sim = tmp_path / "sim.json"
    assert main(["sim", "run", str(ROOT / "examples" / "hands.toml"), "--json", str(sim)]) == 0
    assert main(["report", str(sim), "-o", str(tmp_path / "r.html"), "--pdf",
                 "--protocol", str(ROOT / "examples" / "hands.toml")]) == 0
    text = " ".join(pdf_text(tmp_path / "r.pdf").split())
    assert "the simulated plant's volume" in text and "(simulated)" in text
    assert "estimated by the gun's firmware" not in text
    assert "Simulation: no patient was treated." in text
