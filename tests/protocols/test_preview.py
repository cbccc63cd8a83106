"""`meso preview`: the PNG is opened and its pixels checked for every zone and depth."""

import pathlib

import numpy as np
from PIL import Image

from firmware import board
from host import protocol
from host.cli import main
from host.protocol import preview
from host.protocol.plan import Plan

EXAMPLES = pathlib.Path(__file__).parents[2] / "examples"


def pixels_near(img, rgba, tol=3):
    """How many pixels have this colour (within tol per channel)."""
    target = np.array([round(c * 255) for c in rgba[:3]])
    return int((np.abs(img[:, :, :3].astype(int) - target) <= tol).all(axis=2).sum())


def render(tmp_path, name):
    out = tmp_path / (name + ".png")
    assert main(["preview", str(EXAMPLES / (name + ".toml")), "-o", str(out)]) == 0
    proto = protocol.load(str(EXAMPLES / (name + ".toml")))
    plan = Plan(proto, board.by_name("sim"))
    return Image.open(out), plan


def test_face_preview_shows_every_zone_and_depth(tmp_path):
    img, plan = render(tmp_path, "face")
    assert img.format == "PNG"
    assert img.size == (1500, 720)  # panels as tall as the shared grid box
    px = np.asarray(img.convert("RGBA"))
    # Each zone's frame and title in its own colour.
    for i in range(len(plan.zones)):
        assert pixels_near(px, preview.zone_colour(i)) > 500, plan.zones[i].name
    # Two depths (1 mm, 1.5 mm) in two colours; the 12 papules cover less than the 274
    # nappage points.
    shallow = pixels_near(px, preview.depth_colour(plan, 1.0))
    deep = pixels_near(px, preview.depth_colour(plan, 1.5))
    assert shallow > 3 * deep > 0
    # A colour not in the picture is not found (the check can fail).
    assert pixels_near(px, (1.0, 0.0, 1.0)) == 0


def test_abdomen_preview_has_its_points(tmp_path):
    img, plan = render(tmp_path, "abdomen")
    px = np.asarray(img.convert("RGBA"))
    assert img.size == (1040, 560)
    marker = pixels_near(px, preview.depth_colour(plan, 6))
    assert marker > 36 * 50  # 36 markers of at least ~50 solid pixels each
    assert pixels_near(px, preview.zone_colour(2)) == 0  # only two zones


def test_preview_refuses_invalid(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text((EXAMPLES / "face.toml").read_text().replace("needle_mm = 4", "needle_mm = 3"))
    assert main(["preview", str(bad), "-o", str(tmp_path / "x.png")]) == 1
    assert "needle_mm" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


MIXED = """[protocol]
name = "Mixed"
syringe_ml = 3
needle_mm = 4
needle_gauge = 32
viscosity_mpas = 1

[[zone]]
name = "forehead"
preset = "nappage"
grid = { rows = 6, cols = 15, spacing_mm = 4 }
dose_ul = 10

[[zone]]
name = "crown"
mode = "burst"
points = 64
depth_mm = 2.0
dose_ul = 10
rate_per_min = 90

[[zone]]
name = "papules"
preset = "papule"
grid = { rows = 3, cols = 3, spacing_mm = 10 }
dose_ul = 30
"""


def mixed(tmp_path, suffix):
    src = tmp_path / "mixed.toml"
    src.write_text(MIXED)
    out = tmp_path / ("mixed" + suffix)
    assert main(["preview", str(src), "-o", str(out)]) == 0
    return out, Plan(protocol.load(str(src)), board.by_name("sim"))


def svg_texts(path):
    import re

    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text())]


def test_points_only_zone_is_a_count_not_a_grid(tmp_path):
    out, plan = mixed(tmp_path, ".png")
    px = np.asarray(Image.open(out).convert("RGBA"))
    one = pixels_near(px, preview.depth_colour(plan, 2.0))
    # One marker stands for the count (64 were drawn on an invented 8 x 8 grid before).
    grid9 = pixels_near(px, preview.depth_colour(plan, 1.5))  # the 9 papules, larger dose
    assert 0 < one < grid9 / 9 * 1.5
    texts = svg_texts(mixed(tmp_path, ".svg")[0])
    assert "× 64" in texts and "no grid in the protocol:" in texts


def test_one_scale_dose_legend_and_timing(tmp_path):
    texts = svg_texts(mixed(tmp_path, ".svg")[0])
    # The 10 mm grid (20 mm wide) is drawn on the 4 mm grid's 56 mm: both panels tick 60.
    assert texts.count("60") == 2
    assert {"dose per point", "10 µL", "30 µL"} <= set(texts)
    assert "burst at 90 shots/min (one every 667 ms); zone about 0 min 43 s" in texts
    assert any(t.startswith("one shot every") and "zone about" in t for t in texts)
