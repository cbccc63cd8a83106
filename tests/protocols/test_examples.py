"""Every example is valid, warning-free, and its core form passes the firmware's own check."""

import pathlib

import pytest

from firmware import board, limits
from host import presets, protocol
from host.cli import main
from host.protocol.plan import Plan

EXAMPLES = sorted((pathlib.Path(__file__).parents[2] / "examples").glob("*.toml"))
NAMES = [p.stem for p in EXAMPLES]


def test_all_body_areas_have_an_example():
    assert {"face", "neck", "decollete", "hands", "scalp", "abdomen"} <= set(NAMES)


@pytest.mark.parametrize("path", EXAMPLES, ids=NAMES)
@pytest.mark.parametrize("board_name", ["sim", "pico"])
def test_example_valid(path, board_name):
    proto = protocol.load(str(path))
    assert protocol.errors(proto, board_name) == []
    assert protocol.warnings(proto, board_name) == []
    core = proto.core()
    assert limits.check_protocol(board.by_name(board_name), core) == []
    # Only core keys reach the firmware.
    assert set(core) == {"protocol", "zone"}
    for z in core["zone"]:
        assert not {"preset", "grid", "notes", "volume_cap_ul"} & set(z)


def test_face_example_figures():
    proto = protocol.load(str(EXAMPLES[NAMES.index("face")]))
    head = proto.core()["protocol"]
    assert (head["syringe_ml"], head["needle_mm"], head["viscosity_mpas"]) == (3, 4, 20)
    plan = Plan(proto, board.by_name("sim"))
    assert 250 <= plan.points <= 350
    assert plan.volume_ul <= 3000 and plan.fills == 1
    # The forehead's grid of 6 x 15 became 90 points; nappage gave the depth, and its pace
    # grew to the time a 10 µL shot takes on the protocol's line (to the next 50 ms).
    z = proto.core()["zone"][0]
    assert (z["points"], z["depth_mm"], z["mode"], z["flow_ul_s"]) == (90, 1.0, "point", 8)
    b = board.by_name("sim")
    shot_ms = limits.shot_time_ms(b, b.syringe(3), head, 1000, 10000, 8000)
    assert presets.get("nappage").fields["pace_ms"] < shot_ms <= z["pace_ms"] < shot_ms + 50
    assert z["pace_ms"] % 50 == 0


def test_validate_all_examples_exit_zero(capsys):
    assert main(["validate"] + [str(p) for p in EXAMPLES]) == 0
    out = capsys.readouterr().out
    assert out.count("valid on board sim") == len(EXAMPLES)


@pytest.mark.parametrize("path", EXAMPLES, ids=NAMES)
def test_example_loads_into_the_firmware(path):
    from rig import Rig  # tests/core: the real App on the fake HAL

    rig = Rig(protocol.load(str(path)).core())  # asserts load_protocol() found no problem
    assert rig.app.session.loaded


def test_hands_example_first_shots_on_the_rig():
    from rig import Rig

    core = protocol.load(str(EXAMPLES[NAMES.index("hands")])).core()
    rig = Rig(core)
    rig.arm()
    for _ in range(3):
        rig.pull()
        rig.run_until("armed")
    st = rig.app.status()
    assert st["shots"] == 3
    assert st["total_nl"] == 3 * round(core["zone"][0]["dose_ul"] * 1000)
