"""The bad-input table: each broken protocol gives one clear message on the right line."""

import pytest

from host import protocol

BASE = """\
[protocol]
name = "Test"
syringe_ml = 3
needle_mm = 4
needle_gauge = 32
viscosity_mpas = 1

[[zone]]
name = "forehead"
mode = "point"
points = 40
depth_mm = 1.0
dose_ul = 20
pace_ms = 800
"""
# Lines of BASE: 3 syringe_ml, 4 needle_mm, 5 gauge, 6 viscosity, 8 [[zone]], 9 name,
# 10 mode, 11 points, 12 depth_mm, 13 dose_ul, 14 pace_ms.

ZONE2 = ('\n[[zone]]\nname = "cheeks"\nmode = "point"\npoints = 10\ndepth_mm = 1.0\n'
         "dose_ul = 20\npace_ms = 800\n")


def sub(*pairs):
    text = BASE
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def big_session():
    head = sub("syringe_ml = 3", "syringe_ml = 10", "needle_mm = 4", "needle_mm = 6")
    head = head.split("[[zone]]")[0]
    zones = "".join(
        '[[zone]]\nname = "z%d"\nmode = "point"\npoints = 400\ndepth_mm = 1\ndose_ul = 20\n'
        "pace_ms = 800\n\n" % i for i in range(3))
    return head + zones


def many_zones():
    head = BASE.split("[[zone]]")[0]
    return head + "".join('[[zone]]\nname = "z%d"\nmode = "point"\npoints = 1\ndepth_mm = 1\n'
                          "dose_ul = 1\npace_ms = 800\n" % i for i in range(65))


# (id, text, line, key, fragment of the message)
CASES = [
    ("unterminated string", sub('name = "Test"', 'name = "Test'), 2, "syntax", "not closed"),
    ("bad number", sub("depth_mm = 1.0", "depth_mm = 1.0.0"), 12, "syntax",
     "one key = value per line"),
    ("key given twice", sub("pace_ms = 800", "pace_ms = 800\npoints = 41"), 15, "syntax",
     "overwrite"),
    ("missing equals", sub("points = 40", "points 40"), 11, "syntax", "column"),
    ("unclosed table header", sub("[[zone]]", "[[zone]"), 8, "syntax", "column"),
    ("depth as text", sub("depth_mm = 1.0", 'depth_mm = "1.0"'), 12, "zone[0].depth_mm",
     "expected a number"),
    ("fractional points", sub("points = 40", "points = 40.5"), 11, "zone[0].points",
     "expected a whole number"),
    ("boolean pace", sub("pace_ms = 800", "pace_ms = true"), 14, "zone[0].pace_ms",
     "expected a whole number; got true"),
    ("missing dose", sub("dose_ul = 20\n", ""), 8, "zone[0].dose_ul", "missing"),
    ("missing syringe", sub("syringe_ml = 3\n", ""), 1, "protocol.syringe_ml",
     "missing (allowed: 1, 3, 5, 10 mL)"),
    ("missing protocol table", BASE.split("\n", 1)[1].replace('name = "Test"\n', "", 1)
     .replace("syringe_ml = 3\nneedle_mm = 4\nneedle_gauge = 32\nviscosity_mpas = 1\n", ""),
     1, "protocol", "missing the [protocol] table"),
    ("unknown zone key", sub("depth_mm = 1.0", "depth = 1.0"), 12, "zone[0].depth",
     "did you mean depth_mm?"),
    ("unknown protocol key", sub("needle_gauge = 32", "needle_gage = 32"), 5,
     "protocol.needle_gage", "did you mean needle_gauge?"),
    ("unknown table", sub("[protocol]", "[protocl]"), 1, "protocl",
     "did you mean [protocol]?"),
    ("zone not an array", sub("[[zone]]", "[zone]"), 8, "zone", "write [[zone]]"),
    ("unknown mode", sub('mode = "point"', 'mode = "pulse"'), 10, "zone[0].mode",
     "unknown injection mode"),
    ("too shallow", sub("depth_mm = 1.0", "depth_mm = 0.05"), 12, "zone[0].depth_mm",
     "allowed: 0.1..4 mm"),
    ("deeper than the needle", sub("depth_mm = 1.0", "depth_mm = 5"), 12, "zone[0].depth_mm",
     "deeper than the 4 mm needle allows; got 5 (allowed: 0.1..4 mm)"),
    ("no such syringe", sub("syringe_ml = 3", "syringe_ml = 2"), 3, "protocol.syringe_ml",
     "not a syringe this board takes; got 2 (allowed: 1, 3, 5, 10 mL)"),
    ("no such needle", sub("needle_mm = 4", "needle_mm = 8"), 4, "protocol.needle_mm",
     "not a needle this board takes"),
    ("gauge out of range", sub("needle_gauge = 32", "needle_gauge = 18"), 5,
     "protocol.needle_gauge", "allowed: 25..34 G"),
    ("viscosity zero", sub("viscosity_mpas = 1", "viscosity_mpas = 0"), 6,
     "protocol.viscosity_mpas", "outside the fluids"),
    ("dose beyond a shot", sub("dose_ul = 20", "dose_ul = 600"), 13, "zone[0].dose_ul",
     "more than one shot can deliver"),
    ("pace shorter than a shot", sub("pace_ms = 800", "pace_ms = 100"), 14, "zone[0].pace_ms",
     "shorter than one shot takes"),
    ("zero points", sub("points = 40", "points = 0"), 11, "zone[0].points", "allowed: 1..2000"),
    ("absurd point count", sub("points = 40", "points = 100000000"), 11, "zone[0].points",
     "outside what the board allows"),
    ("zone beyond the syringe", sub("points = 40", "points = 200"), 11, "zone[0].points",
     "more than one 3 mL syringe fill"),
    ("session beyond the board", big_session(), 8, "zone", "the session would inject 24000"),
    ("duplicate zone name", BASE + ZONE2.replace("cheeks", "forehead"), 17, "zone[1].name",
     "zone[0] already has this name"),
    ("empty zone", BASE + "\n[[zone]]\n", 16, "zone[1]", "empty zone"),
    ("no zones", BASE.split("[[zone]]")[0], 1, "zone", "at least one [[zone]]"),
    ("burst too deep", sub("needle_mm = 4", "needle_mm = 6", 'mode = "point"', 'mode = "burst"',
                           "depth_mm = 1.0", "depth_mm = 5", "pace_ms = 800",
                           "rate_per_min = 60"), 12, "zone[0].depth_mm",
     "burst mode is limited to 4 mm deep"),
    # (A line held on its pressure, shallow: water through 32 G would settle each shot and
    # the shot's own time would bind, 42 a minute.)
    ("burst rate beyond the syringe", sub("syringe_ml = 3", "syringe_ml = 1", 'mode = "point"',
                                          'mode = "burst"', "dose_ul = 20", "dose_ul = 2",
                                          "pace_ms = 800", "rate_per_min = 200",
                                          "viscosity_mpas = 1", "viscosity_mpas = 2",
                                          "depth_mm = 1.0", "depth_mm = 0.5"),
     14, "zone[0].rate_per_min", "allowed: 1..150 shots/min"),
    ("continuous flow too fast", sub('mode = "point"', 'mode = "continuous"',
                                     "pace_ms = 800", "flow_ul_s = 500\nduration_s = 5"),
     14, "zone[0].flow_ul_s", "faster than the board allows for a 3 mL syringe"),
    ("continuous without duration", sub('mode = "point"', 'mode = "continuous"',
                                        "pace_ms = 800", "flow_ul_s = 50"),
     8, "zone[0].duration_s", "missing"),
    ("perfusion bolus interval", sub('mode = "point"', 'mode = "perfusion"',
                                     "pace_ms = 800", "bolus_every_s = 0"),
     14, "zone[0].bolus_every_s", "bolus interval out of range"),
    ("key of another mode", sub("pace_ms = 800", "pace_ms = 800\nrate_per_min = 60"), 15,
     "zone[0].rate_per_min", "unknown key"),
    ("unknown preset", sub('mode = "point"', 'preset = "napage"'), 10, "zone[0].preset",
     "did you mean nappage?"),
    ("preset too deep for the needle", sub('mode = "point"', 'preset = "point-by-point"',
                                           "depth_mm = 1.0\n", "", "dose_ul = 20\n", "",
                                           "pace_ms = 800\n", ""),
     10, "zone[0].depth_mm", "value from preset point-by-point"),
    ("grid and points", sub("points = 40", "points = 40\ngrid = {rows = 2, cols = 3, "
                            "spacing_mm = 5}"), 12, "zone[0].grid", "not both"),
    ("grid with zero rows", sub("points = 40", "grid = {rows = 0, cols = 3, spacing_mm = 5}"),
     11, "zone[0].grid.rows", "allowed: 1..200"),
    ("grid spacing absurd", sub("points = 40", "grid = {rows = 2, cols = 3, spacing_mm = 500}"),
     11, "zone[0].grid.spacing_mm", "allowed: 0.5..100 mm"),
    ("grid without spacing", sub("points = 40", "grid = {rows = 2, cols = 3}"), 11,
     "zone[0].grid.spacing_mm", "no preset gives one"),
    ("grid misspelt key", sub("points = 40", "grid = {rows = 2, colums = 3, spacing_mm = 5}"),
     11, "zone[0].grid.colums", "did you mean cols?"),
    ("grid too large", sub("points = 40", "grid = {rows = 100, cols = 100, spacing_mm = 5}"),
     11, "zone[0].points", "(from the grid)"),
    ("grid on its own lines", sub("points = 40", "[zone.grid]\nrows = 2\ncols = 3"),
     11, "zone[0].grid.spacing_mm", "missing"),
    ("volume cap exceeded", sub("points = 40", "points = 40\nvolume_cap_ul = 500"), 12,
     "zone[0].volume_cap_ul", "would inject 800 µL, more than its cap"),
    ("volume cap not a number", sub("points = 40", 'points = 40\nvolume_cap_ul = "lots"'), 12,
     "zone[0].volume_cap_ul", "expected a volume cap"),
    ("zone name too long", sub('name = "forehead"', 'name = "%s"' % ("f" * 41)), 9,
     "zone[0].name", "1..40 characters"),
    ("zone name empty", sub('name = "forehead"', 'name = ""'), 9, "zone[0].name", "needs a name"),
    ("zone name a number", sub('name = "forehead"', "name = 5"), 9, "zone[0].name",
     "needs a name"),
    ("notes not text", sub('name = "forehead"', 'name = "forehead"\nnotes = 5'), 10,
     "zone[0].notes", "expected text"),
    ("too many zones", many_zones(), 8, "zone", "too many zones"),
    ("nan depth", sub("depth_mm = 1.0", "depth_mm = nan"), 12, "zone[0].depth_mm",
     "expected a finite number; got nan"),
    ("infinite dose", sub("dose_ul = 20", "dose_ul = inf"), 13, "zone[0].dose_ul",
     "expected a finite number; got inf"),
    ("nan needle", sub("needle_mm = 4", "needle_mm = nan"), 4, "protocol.needle_mm",
     "expected a finite number"),
    ("zones not tables", BASE.split("[[zone]]")[0].replace("[protocol]", "zone = [1, 2]\n"
                                                           "[protocol]"),
     1, "zone[0]", "each zone is a [[zone]] table"),
]


@pytest.mark.parametrize("text,line,key,fragment", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input(tmp_path, text, line, key, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    try:
        diags = protocol.errors(protocol.load(str(path)))
    except protocol.ProtocolError as e:
        diags = e.diagnostics
    hits = [d for d in diags if d.key == key and fragment in d.message()]
    assert hits, "\n".join(d.format() for d in diags)
    assert hits[0].line == line, hits[0].format()
    assert hits[0].format().startswith("%s:%d: %s: " % (path, line, key))


def test_table_is_large_and_distinct():
    assert len(CASES) >= 30
    assert len({c[1] for c in CASES}) == len(CASES)


def test_file_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(BASE.replace('"Test"', '"Tést"').encode("latin-1"))
    with pytest.raises(protocol.ProtocolError) as e:
        protocol.load(str(path))
    assert e.value.diagnostics[0].line == 2
    assert "not UTF-8" in str(e.value)


def test_file_absurdly_large(tmp_path):
    path = tmp_path / "huge.toml"
    path.write_text(BASE + "# padding\n" * 40000)
    with pytest.raises(protocol.ProtocolError, match="far too large"):
        protocol.load(str(path))


def test_every_problem_at_once(tmp_path):
    path = tmp_path / "many.toml"
    path.write_text(sub("needle_mm = 4", "needle_mm = 8", "depth_mm = 1.0", "depth = 1.0",
                        "dose_ul = 20", "dose_ul = 600"))
    keys = [d.key for d in protocol.errors(protocol.load(str(path)))]
    assert keys == ["protocol.needle_mm", "zone[0].depth_mm", "zone[0].depth",
                    "zone[0].dose_ul"]


def test_perfusion_is_accepted_now_the_firmware_runs_it(tmp_path):
    path = tmp_path / "perf.toml"
    path.write_text(sub('mode = "point"', 'mode = "perfusion"', "pace_ms = 800",
                        "bolus_every_s = 5"))
    assert protocol.errors(protocol.load(str(path))) == []


def test_preset_typo_is_said_once_and_unit_less_key_finds_its_unit(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text(sub('mode = "point"\n', 'preset = "papul"\n', "depth_mm = 1.0\n", "",
                        "pace_ms = 800", "pace = 800"))
    got = [(d.line, d.key, d.why) for d in protocol.errors(protocol.load(str(path)))]
    assert got == [(10, "zone[0].preset", "unknown preset (did you mean papule?)"),
                   (13, "zone[0].pace", "unknown key (did you mean pace_ms?)")]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")],
                         ids=["nan", "inf", "-inf"])
def test_firmware_limits_refuse_non_finite_figures(bad):
    """The core form reaches the gun as JSON, which can carry NaN: the firmware's own check
    must name the key, not crash."""
    from firmware import board, limits

    b = board.by_name("sim")
    zones = {
        "point": {"pace_ms": 800},
        "burst": {"rate_per_min": 60},
        "continuous": {"flow_ul_s": 20, "duration_s": 5},
        "perfusion": {"bolus_every_s": 5},
    }
    # Water: the board's default flow passes the needle well below the occlusion limit.
    head = {"name": "t", "syringe_ml": 3, "needle_mm": 4, "needle_gauge": 32,
            "viscosity_mpas": 1}
    for mode, extra in zones.items():
        zone = dict({"name": "z", "mode": mode, "points": 4, "depth_mm": 1.0, "dose_ul": 10},
                    **extra)
        assert limits.check_protocol(b, {"protocol": head, "zone": [zone]}) == []
        for key in [k for k, v in zone.items() if not isinstance(v, str)]:
            broken = dict(zone, **{key: bad})
            problems = limits.check_protocol(b, {"protocol": head, "zone": [broken]})
            assert [p.key for p in problems if p.zone == 0] == [key], (mode, key)
        for key in ("syringe_ml", "needle_mm", "needle_gauge", "viscosity_mpas"):
            problems = limits.check_protocol(b, {"protocol": dict(head, **{key: bad}),
                                                 "zone": [zone]})
            assert key in [p.key for p in problems if p.zone < 0], (mode, key)
