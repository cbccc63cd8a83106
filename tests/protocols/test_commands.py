"""validate, plan and presets as a practitioner runs them."""

import re

from host import presets, protocol
from host.cli import main

GOOD = """\
[protocol]
name = "Test"
syringe_ml = 1
needle_mm = 4
needle_gauge = 32
viscosity_mpas = 1

[[zone]]
name = "a"
preset = "nappage"
grid = { rows = 5, cols = 6, spacing_mm = 3 }
dose_ul = 12

[[zone]]
name = "b"
preset = "papule"
points = 10
"""


def write(tmp_path, text, name="p.toml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_validate_reports_all_and_exits_1(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace("dose_ul = 12", "dose_ul = 2000")
                 .replace("points = 10", "points = 10\nspeed = 3"))
    assert main(["validate", path]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == ("%s:12: zone[0].dose_ul: more than one shot can deliver with this "
                      "syringe and board; got 2000 (allowed: 0.5..500 µL)" % path)
    assert out[1] == "%s:18: zone[1].speed: unknown key; got 3" % path
    assert out[-1] == "%s: invalid (2 errors)" % path


def test_syntax_error_line(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace("points = 10", "points = = 10"))
    assert main(["validate", path]) == 1
    assert re.match(r".*p\.toml:17: syntax: .*column \d+", capsys.readouterr().out)


def test_preset_overrides_and_mode_switch(tmp_path):
    # (30 a minute: water through 32 G settles each shot and tops it up, 1.9 s a shot.)
    text = GOOD.replace('points = 10', 'points = 10\nmode = "burst"\nrate_per_min = 30')
    proto = protocol.load(write(tmp_path, text))
    z = proto.core()["zone"][1]
    assert z["mode"] == "burst" and "pace_ms" not in z
    assert z["depth_mm"] == presets.get("papule").fields["depth_mm"]
    assert protocol.errors(proto) == []


def test_warnings_soft_limits(tmp_path, capsys):
    text = GOOD.replace("dose_ul = 12", "dose_ul = 12\ndepth_mm = 0.3") \
        .replace("points = 10", "points = 10\ndose_ul = 60").replace("rows = 5", "rows = 6")
    path = write(tmp_path, text)
    proto = protocol.load(path)
    assert protocol.errors(proto) == []
    warns = protocol.warnings(proto)
    got = [(w.line, w.key) for w in warns]
    assert got == [(3, "protocol.syringe_ml"), (13, "zone[0].depth_mm"),
                   (19, "zone[1].dose_ul")], got
    assert "usual: 20-50 µL" in warns[2].format()
    assert "needs 2 syringe fills" in warns[0].format()
    assert main(["validate", path]) == 0
    assert main(["validate", "--strict", path]) == 1
    assert "warning: zone[0].depth_mm" in capsys.readouterr().out


def test_plan_figures(tmp_path, capsys):
    assert main(["plan", write(tmp_path, GOOD)]) == 0
    out = capsys.readouterr().out
    # 30 points x 12 µL + 10 x 30 µL = 660 µL in one 1 mL fill.
    assert re.search(r"^total\s+40\s+660 ", out, re.M), out
    assert "syringe fills: 1 (0 refills" in out


def test_plan_refuses_invalid(tmp_path, capsys):
    assert main(["plan", write(tmp_path, GOOD.replace("needle_mm = 4", "needle_mm = 5"))]) == 1
    assert "protocol.needle_mm: not a needle" in capsys.readouterr().err


def test_presets_listing(capsys):
    assert main(["presets"]) == 0
    out = capsys.readouterr().out
    for name in ("epidermal", "nappage", "papule", "point-by-point", "skin-booster", "scalp"):
        assert re.search(r"^%s\s+point" % name, out, re.M)
    assert main(["presets", "Skin booster"]) == 0
    assert "usual dose     20-50 µL" in capsys.readouterr().out
    assert main(["presets", "nap"]) == 1


def test_board_option(tmp_path, capsys):
    assert main(["validate", "--board", "pico", write(tmp_path, GOOD)]) == 0
    assert main(["validate", "--board", "nosuch", write(tmp_path, GOOD)]) == 1
    assert "no such board" in capsys.readouterr().err


def test_confirm_warnings(tmp_path):
    text = GOOD.replace("dose_ul = 12", "dose_ul = 12\ndepth_mm = 0.3")
    warns = protocol.warnings(protocol.load(write(tmp_path, text)))
    assert len(warns) == 1
    said = []
    assert protocol.confirm(warns, ask=lambda p: "y", out=said.append) == [warns[0].format()]
    assert said == [warns[0].format()]
    for reply in ("n", "", "maybe"):
        try:
            protocol.confirm(warns, ask=lambda p: reply, out=said.append)  # noqa: B023
        except protocol.MesoError as e:
            assert "not confirmed" in str(e)
        else:
            raise AssertionError("a %r must not start the session" % reply)

    def never(prompt):
        raise AssertionError("must not ask")
    assert len(protocol.confirm(warns, ask=never, out=said.append, accept=True)) == 1
    assert protocol.confirm([], ask=never, out=said.append) == []


def test_docs_show_the_real_output(capsys, monkeypatch):
    """docs/PROTOCOLS.md's validation run is what `meso validate` prints today."""
    import pathlib

    root = pathlib.Path(__file__).parents[2]
    monkeypatch.chdir(root / "tests" / "protocols" / "data")
    assert main(["validate", "bad.toml"]) == 1
    out = capsys.readouterr().out
    docs = (root / "docs" / "PROTOCOLS.md").read_text(encoding="utf-8")
    block = docs.split("$ meso validate bad.toml\n", 1)[1].split("```", 1)[0]
    assert out == block


def test_docs_bad_file_is_the_test_file():
    import pathlib

    root = pathlib.Path(__file__).parents[2]
    docs = (root / "docs" / "PROTOCOLS.md").read_text(encoding="utf-8")
    shown = docs.split("has a few of the usual mistakes:\n\n```toml\n", 1)[1].split("```")[0]
    assert shown == (root / "tests" / "protocols" / "data" / "bad.toml").read_text()


def test_line_pressure(tmp_path):
    """A viscous fluid through a fine needle: a flow above the board's limit is an error, near
    it a warning; with no flow given, the zones dose at the fastest the line passes."""
    viscous = GOOD.replace("viscosity_mpas = 1", "viscosity_mpas = 20")
    assert protocol.errors(protocol.load(write(tmp_path, viscous))) == []
    fast = viscous.replace("viscosity_mpas = 20", "viscosity_mpas = 20\nflow_ul_s = 100")
    diags = protocol.errors(protocol.load(write(tmp_path, fast)))
    assert [(d.line, d.key) for d in diags] == [(7, "zone[0].flow_ul_s"),
                                                (7, "zone[1].flow_ul_s")]
    assert "needs about 2022 kPa" in diags[0].why and diags[0].allowed == "at most 9 µL/s"
    # At the suggested flow it is valid; just under the limit it is a warning.
    ok = viscous.replace("viscosity_mpas = 20", "viscosity_mpas = 20\nflow_ul_s = 9")
    proto = protocol.load(write(tmp_path, ok))
    assert protocol.errors(proto) == [] and protocol.warnings(proto) == []
    near = ok.replace("flow_ul_s = 9", "flow_ul_s = 15")
    warns = protocol.warnings(protocol.load(write(tmp_path, near)))
    assert [(w.line, w.key) for w in warns] == [(7, "zone[0].flow_ul_s"),
                                                (7, "zone[1].flow_ul_s")]
    # A zone's own flow wins over the protocol's, and is reported on its own line.
    own = near.replace("points = 10", "points = 10\nflow_ul_s = 5")
    warns = protocol.warnings(protocol.load(write(tmp_path, own)))
    assert [w.key for w in warns] == ["zone[0].flow_ul_s"]


def test_plan_of_every_mode():
    import pathlib

    from firmware import board
    from host.protocol.plan import Plan

    path = pathlib.Path(__file__).parent / "data" / "modes.toml"
    proto = protocol.load(str(path))
    assert protocol.errors(proto) == []
    burst, cont, perf = Plan(proto, board.by_name("sim")).zones
    assert (burst.mode, burst.pace_ms, burst.time_s) == ("burst", 1000, 10.0)
    assert cont.volume_ul == 2 * 20 * 3  # flow x duration per pass, not the dose
    assert 2 * 3.0 < cont.time_s < 2 * 4.0  # the pass plus needle in and out
    assert (perf.pace_ms, perf.time_s) == (2000, 8.0)
    # No dose warning for the continuous zone (its dose_ul is not what it injects).
    assert [w.key for w in protocol.warnings(proto)] == ["zone[2].dose_ul"]
