"""Technique presets from the clinical reference: default figures a zone starts from.

A zone names a preset (`preset = "nappage"`) and may override any field. Each preset also
carries the usual clinical range of depth, dose and spacing; a zone outside it is a warning
(a soft limit), never an error: the hard limits are the board's and the needle's.
"""

from host.errors import MesoError

# Zone keys every preset sets.
GENERAL_FIELDS = ("mode", "depth_mm", "dose_ul", "pace_ms")


class Preset:
    def __init__(self, name, summary, fields, depth_mm, dose_ul, spacing_mm):
        self.name = name
        self.summary = summary
        self.fields = fields  # zone keys the preset sets; the zone may override each
        self.depth_range_mm = depth_mm
        self.dose_range_ul = dose_ul
        self.spacing_range_mm = spacing_mm

    @property
    def spacing_mm(self):
        return self.fields["spacing_mm"]


def _p(name, summary, mode, depth_mm, dose_ul, pace_ms, spacing_mm, ranges):
    fields = {"mode": mode, "depth_mm": depth_mm, "dose_ul": dose_ul, "pace_ms": pace_ms,
              "spacing_mm": spacing_mm}
    return Preset(name, summary, fields, *ranges)


# (depth range mm, dose range µL, spacing range mm) are the clinical table's figures.
PRESETS = {
    p.name: p
    for p in (
        _p("epidermal", "surface film just under the epidermis, lines 1-5 mm apart",
           "point", 0.3, 2, 400, 3, ((0.1, 0.5), (0.5, 5), (1, 5))),
        _p("nappage", "many small superficial shots, 2-4 mm apart",
           "point", 1.0, 15, 600, 3, ((0.5, 4), (10, 20), (2, 4))),
        _p("papule", "small blebs in the middle skin layer, ~10 mm apart",
           "point", 1.5, 30, 1000, 10, ((1, 2), (20, 50), (8, 12))),
        _p("point-by-point", "deep single shots 20-30 mm apart",
           "point", 6.0, 150, 3000, 25, ((4, 12), (100, 200), (20, 30))),
        _p("skin-booster", "hydrating shots at 0.5-1 mm, 5-20 mm apart",
           "point", 0.8, 30, 1000, 10, ((0.5, 1), (20, 50), (5, 20))),
        _p("scalp", "hair: shots at 1-2 mm along the scalp, 5-15 mm apart",
           "point", 1.5, 30, 1000, 10, ((1, 2), (20, 50), (5, 15))),
    )
}

# Zones without a preset are held to the general figures of the clinical reference.
GENERAL = Preset("general", "no preset: the general clinical figures", {},
                 (1, 4), (10, 50), (5, 20))


def canonical(name):
    """'Skin booster', 'skin_booster' and 'skin-booster' all name the same preset."""
    if not isinstance(name, str):
        return None
    return "-".join(name.lower().replace("_", " ").replace("-", " ").split())


def get(name):
    """The preset called name, or None."""
    return PRESETS.get(canonical(name))


def by_name(name):
    preset = get(name)
    if preset is None:
        raise MesoError("no preset %r (presets: %s)" % (name, ", ".join(PRESETS)))
    return preset


def _fig(x):
    return ("%g" % x) if isinstance(x, (int, float)) else str(x)


def table():
    """Rows for `meso presets`: name, mode, depth, dose, pace, spacing, usual ranges."""
    rows = [("preset", "mode", "depth_mm", "dose_ul", "pace_ms", "spacing_mm",
             "usual depth / dose / spacing")]
    for p in PRESETS.values():
        f = p.fields
        ranges = "%s-%s mm / %s-%s µL / %s-%s mm" % tuple(
            _fig(x) for r in (p.depth_range_mm, p.dose_range_ul, p.spacing_range_mm) for x in r)
        rows.append((p.name, f["mode"], _fig(f["depth_mm"]), _fig(f["dose_ul"]),
                     _fig(f["pace_ms"]), _fig(f["spacing_mm"]), ranges))
    return rows
