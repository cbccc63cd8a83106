"""A session that needs a second syringe: the gun stops with the needle out, `meso run` asks
for a full syringe, and the session goes on; with nobody to answer it stops, saying why."""

import json

from sim.serve import Background
from tests.link.conftest import meso

TWO_FILLS = """[protocol]
name = "two fills"
syringe_ml = 1
needle_mm = 4
needle_gauge = 30
viscosity_mpas = 1
""" + "".join("""
[[zone]]
name = "z%d"
mode = "point"
points = 3
depth_mm = 1.0
dose_ul = 150
pace_ms = 2500
""" % i for i in range(3))


def water_1ml():
    return {"name": "water", "syringe_ml": 1, "needle_mm": 4, "needle_gauge": 30,
            "viscosity_mpas": 1}


def test_meso_run_asks_for_a_full_syringe_and_the_session_goes_on(tmp_path, capsys,
                                                                  monkeypatch):
    proto = tmp_path / "two.toml"
    proto.write_text(TWO_FILLS)
    asked = []

    def practitioner(prompt):
        asked.append(prompt)
        return ""

    monkeypatch.setattr("builtins.input", practitioner)
    log = tmp_path / "two.json"
    with Background(tmp_path / "gun", 1, water_1ml()) as gun:
        code, out, err = meso(capsys, "run", proto, "--port", gun.port, "--screened-by", "t",
                              "--accept-warnings", "--log", log)
        refills = gun.device.refills
        delivered = [i["delivered_ul"] for i in gun.device.world.insertions]
    assert code == 0, err
    assert "done, 9/9 shots" in out
    # 6 x 150 µL from the first 1 mL syringe; the 7th would not fit: one refill, asked once.
    assert len(asked) == 1 and "fit a full 1 mL syringe" in asked[0], asked
    assert refills == 1
    shots = json.loads(log.read_text())["shots"]
    assert [s["fault"] for s in shots] == [None] * 9
    # The first shot from the new syringe starts the dose model afresh, like the first
    # syringe's first shot (on a real syringe both differ from the rest by the model's guess
    # of its charge: water through 30 G is too fast for the pressure reference).
    assert len(delivered) == 9 and abs(delivered[6] - delivered[0]) / 150 < 0.01, delivered


def test_with_nobody_to_fit_a_syringe_the_run_stops_and_keeps_its_log(tmp_path, capsys,
                                                                      monkeypatch):
    proto = tmp_path / "two.toml"
    proto.write_text(TWO_FILLS)

    def nobody(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", nobody)
    log = tmp_path / "two.json"
    with Background(tmp_path / "gun", 1, water_1ml()) as gun:
        code, out, err = meso(capsys, "run", proto, "--port", gun.port, "--screened-by", "t",
                              "--accept-warnings", "--log", log)
        needle_in = gun.device.world.needle_in()
    assert code == 1
    assert "run stopped: syringe empty: no answer at the prompt" in err, err
    assert not needle_in
    assert len(json.loads(log.read_text())["shots"]) == 6
