"""A zone without flow_ul_s doses at the fastest flow its line passes, up to the board's;
meso validate and meso plan say so and how long its shots take; an explicit flow the line
cannot pass is still refused."""

from firmware import board as boards
from firmware import dosing, limits
from firmware.session import Session
from host.cli import main

THICK = """\
[protocol]
name = "thick"
syringe_ml = 1
needle_mm = 4
needle_gauge = 32
viscosity_mpas = 200

[[zone]]
name = "cheek"
mode = "point"
points = 10
depth_mm = 1.0
dose_ul = 10
pace_ms = 25000
"""


def core(flow=None):
    z = {"name": "cheek", "mode": "point", "points": 10, "depth_mm": 1.0, "dose_ul": 10,
         "pace_ms": 25000}
    if flow is not None:
        z["flow_ul_s"] = flow
    return {"protocol": {"name": "thick", "syringe_ml": 1, "needle_mm": 4, "needle_gauge": 32,
                         "viscosity_mpas": 200}, "zone": [z]}


def test_a_zone_without_a_flow_gets_the_fastest_its_line_passes_on_the_gun_and_the_laptop():
    b = boards.by_name("sim")
    p = core()
    syringe = b.syringe(1)
    line = dosing.Line(syringe, 32, 4000, 200000)
    safe = dosing.safe_flow_nl_s(b, line)
    assert 0 < safe < b.flow_nl_s  # the board's flow would stop on occlusion
    assert limits.check_protocol(b, p) == []  # taken, not refused
    flow = limits.zone_flow_nl_s(b, syringe, p["zone"][0], p["protocol"])
    assert flow == safe and limits.flow_from_line(b, syringe, p["zone"][0], p["protocol"])
    s = Session(b)
    assert s.load(p) == [] and s.zones[0].flow_nl_s == flow  # the gun doses at it
    # Within the pressure budget at that flow, tissue and friction included.
    assert limits.line_kpa(b, p["protocol"], syringe, flow)[1] <= b.pressure_max_kpa // 2
    # A water line is not slowed: the board's flow as before.
    w = core()
    w["protocol"]["viscosity_mpas"] = 1
    assert limits.zone_flow_nl_s(b, syringe, w["zone"][0], w["protocol"]) == b.flow_nl_s
    assert not limits.flow_from_line(b, syringe, w["zone"][0], w["protocol"])


def test_an_explicit_flow_the_line_cannot_pass_is_still_refused():
    b = boards.by_name("sim")
    got = [pr.message() for pr in limits.check_protocol(b, core(flow=100))]
    assert len(got) == 1 and got[0].startswith("zone[0].flow_ul_s = 100.0: a 200 mPa·s fluid"), got
    assert "set flow_ul_s lower" in got[0]


def test_a_shot_slower_than_the_pace_is_refused_with_its_time():
    b = boards.by_name("sim")
    p = core()
    p["zone"][0]["pace_ms"] = 8000
    got = [pr.message() for pr in limits.check_protocol(b, p)]
    assert len(got) == 1 and got[0].startswith("zone[0].pace_ms = 8000: shorter than one "
                                               "shot takes on this line: "), got
    # What the shot is made of: the dose at what the held line sweeps, and the hold.
    assert "dose 15" in got[0] and "at 0.6 µL/s" in got[0], got
    assert "until the line pressure is back at 100 kPa" in got[0], got


def test_validate_and_plan_say_how_long_the_shots_take(tmp_path, capsys):
    path = tmp_path / "thick.toml"
    path.write_text(THICK)
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "valid on board sim" in out
    note = [ln for ln in out.splitlines() if "no flow_ul_s" in ln]
    assert len(note) == 1 and "doses at 0.9 µL/s at most" in note[0], out
    ms = int(note[0].split("a shot takes ")[1].split(" ms")[0])
    # Held on the line pressure, the dose sweeps at 1.3 times what the needle passes at the
    # reference (0.65 µL/s), slower than the budget's 0.9, and the hold follows.
    assert ms > 15000 and "dose 15" in note[0] and "at 0.6 µL/s" in note[0], note
    assert main(["plan", str(path)]) == 0
    out = capsys.readouterr().out
    assert "a shot takes %d ms" % ms in out and " 0.903 " in out
