"""`meso report`: a synthetic session log becomes an HTML page and a PNG, both inspected."""

import base64
import html.parser
import json
import pathlib
import random

import numpy as np
import pytest
from PIL import Image

from host import protocol
from host.cli import main
from host.report import figure

FACE = pathlib.Path(__file__).parents[2] / "examples" / "face.toml"


def synthetic_log(seed=7, fault_zone=1, fault_at=5, with_protocol=True, zone_by_name=False):
    """Shots of the face example with seeded dose errors; one zone stops on a fault."""
    core = protocol.load(str(FACE)).core()
    rng = random.Random(seed)
    shots, t = [], 100.0
    for zi, z in enumerate(core["zone"]):
        for k in range(z["points"]):
            fault = None
            if zi == fault_zone and k == fault_at:
                fault = "contact_lost"
            delivered = z["dose_ul"] * (1 + rng.uniform(-0.03, 0.03))
            if fault:
                delivered = z["dose_ul"] * 0.4
            shots.append({"zone": z["name"] if zone_by_name else zi, "index": k,
                          "commanded_ul": z["dose_ul"], "delivered_ul": delivered,
                          "depth_mm": z["depth_mm"],
                          "actual_depth_mm": z["depth_mm"] + rng.uniform(-0.02, 0.02),
                          "t_start_s": t, "t_end_s": t + 0.4, "fault": fault})
            t += z["pace_ms"] / 1000
            if fault:
                break
    log = {"shots": shots, "summary": {"seed": seed, "shots": len(shots)}}
    if with_protocol:
        log["protocol"] = core
    return log, core


class Cells(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.imgs, self.items = [], None, None, [], []
        self.in_li = False

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.row = []
        elif tag in ("td", "th"):
            self.cell = ""
        elif tag == "img":
            self.imgs.append(dict(attrs)["src"])
        elif tag == "li":
            self.in_li = True
            self.items.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.row.append(self.cell)
            self.cell = None
        elif tag == "tr":
            self.rows.append(self.row)
        elif tag == "li":
            self.in_li = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        if self.in_li:
            self.items[-1] += data


def run_report(tmp_path, log, *extra):
    path = tmp_path / "session.json"
    path.write_text(json.dumps(log))
    out = tmp_path / "report.html"
    assert main(["report", str(path), "-o", str(out), *extra]) == 0
    parser = Cells()
    parser.feed(out.read_text(encoding="utf-8"))
    return parser, tmp_path / "report.png"


def test_report_planned_against_delivered(tmp_path):
    log, core = synthetic_log()
    page, png = run_report(tmp_path, log)
    rows = {r[0]: r for r in page.rows if len(r) == 10}
    for zi, z in enumerate(core["zone"]):
        shots = [s for s in log["shots"] if s["zone"] == zi]
        r = rows[z["name"]]
        assert int(r[1]) == z["points"] and int(r[2]) == len(shots)
        assert float(r[3]) == pytest.approx(z["points"] * z["dose_ul"], abs=0.05)
        delivered = sum(s["delivered_ul"] for s in shots)
        assert float(r[5]) == pytest.approx(delivered, abs=0.05)
        err = 100 * (delivered - len(shots) * z["dose_ul"]) / (len(shots) * z["dose_ul"])
        assert float(r[6].split()[0]) == pytest.approx(err, abs=0.005)
    # The interrupted cheek: 6 of 80 shots, one fault, its worst shot -60 %.
    cheek = rows["left cheek"]
    assert (cheek[2], cheek[9], cheek[7]) == ("6", "1", "-60.00 %")
    assert rows["total"][9] == "1"
    fault_rows = [r for r in page.rows if "contact_lost" in r]
    assert fault_rows and fault_rows[0][:2] == ["left cheek", "6"]  # index 5: the 6th point
    # Aftercare is the patient's own sheet, beside the report, not under the engineering.
    assert not any("SPF 30" in item for item in page.items)
    care = Cells()
    care.feed((tmp_path / "report-handout.html").read_text(encoding="utf-8"))
    assert any("SPF 30" in item for item in care.items)
    assert any("10-15 hours" in item for item in care.items)
    # The embedded picture is the PNG written beside the page.
    src = page.imgs[0]
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == png.read_bytes()


def test_report_png_content(tmp_path):
    log, core = synthetic_log()
    _, png = run_report(tmp_path, log)
    img = Image.open(png)
    assert img.size == (1100, 900)
    px = np.asarray(img.convert("RGB")).astype(int)

    def count(rgb):
        target = np.array([round(c * 255) for c in rgb[:3]])
        return int((np.abs(px - target) <= 3).all(axis=2).sum())

    for i in range(len(core["zone"])):
        assert count(figure.zone_colour(i)) > 100, core["zone"][i]["name"]
    assert count((1.0, 0.0, 1.0)) == 0


def test_report_without_protocol_uses_protocol_file(tmp_path):
    log, core = synthetic_log(with_protocol=False, zone_by_name=True)
    page, _ = run_report(tmp_path, log)
    rows = {r[0]: r for r in page.rows if len(r) == 10}
    assert rows["forehead"][1] == "-"  # nothing planned known
    page, _ = run_report(tmp_path, log, "--protocol", str(FACE))
    rows = {r[0]: r for r in page.rows if len(r) == 10}
    assert rows["forehead"][1] == "90"


@pytest.mark.parametrize("content,message", [
    ("{", "not a JSON session log"),
    ('{"shot": []}', 'a "shots" list'),
    ('{"shots": [{"zone": 0, "commanded_ul": 10}]}', "shots[0].delivered_ul: missing"),
    ('{"shots": [{"zone": 0, "commanded_ul": "10", "delivered_ul": 1}]}',
     "shots[0].commanded_ul: expected a number"),
    ('{"shots": [], "protocol": [1]}', "core form"),
])
def test_bad_logs(tmp_path, capsys, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    assert main(["report", str(path), "-o", str(tmp_path / "r.html")]) == 1
    assert message in capsys.readouterr().err


def test_report_of_a_streamed_run_log(tmp_path):
    """The link's session log: no top-level protocol, per-zone totals in the summary,
    no measured depth."""
    log, core = synthetic_log(with_protocol=False)
    for s in log["shots"]:
        s["actual_depth_mm"] = None
    log["summary"] = {"protocol": "Face rejuvenation", "outcome": "fault", "shots": 212,
                      "zones": [{"zone": i, "name": z["name"], "planned": z["points"]}
                                for i, z in enumerate(core["zone"])]}
    page, _ = run_report(tmp_path, log)
    rows = {r[0]: r for r in page.rows if len(r) == 10}
    assert rows["left cheek"][1:3] == ["80", "6"] and rows["left cheek"][8] == "-"
    assert ["outcome", "fault"] in page.rows
    assert not any(r[0] == "zones" for r in page.rows)


def test_report_of_the_simulators_own_output(tmp_path):
    """`meso sim run --json` as it is: the protocol named (not its core form), fault events."""
    hands = FACE.parent / "hands.toml"
    sim_json = tmp_path / "sim.json"
    assert main(["sim", "run", str(hands), "--seed", "3", "--fault", "occlusion#5",
                 "--json", str(sim_json)]) == 0
    sim = json.loads(sim_json.read_text())
    page, png = run_report(tmp_path, sim, "--protocol", str(hands))
    assert Image.open(png).size == (1100, 900)
    rows = {r[0]: r for r in page.rows if len(r) == 10}
    for i, name in enumerate(("left hand", "right hand")):
        mine = [s for s in sim["shots"] if s["zone"] == i]
        assert rows[name][1] == "20" and int(rows[name][2]) == len(mine)
        assert float(rows[name][5]) == pytest.approx(sum(s["delivered_ul"] for s in mine),
                                                     abs=0.05)
    assert float(rows["total"][5]) == pytest.approx(sim["summary"]["delivered_ul_total"],
                                                    abs=0.05)
    assert rows["left hand"][9] == "1" and rows["right hand"][9] == "0"
    events = [r for r in page.rows if len(r) == 5 and r[1] == "occlusion"]
    assert events and "needle out" in events[0][4]
