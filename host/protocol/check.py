"""Hard errors of a protocol file: the firmware's own limits plus what only the file shows.

firmware.limits.check_protocol() runs on the core form, exactly as on the gun; each of its
Problems is mapped back to the line of the key, the preset or the grid it came from. The
checks here add what the core form cannot show: unknown keys anywhere (with did-you-mean),
presets, grids, volume caps, empty zones, one fill per zone, absurd sizes.
"""

import math

from firmware import limits
from firmware.board import closest
from host import presets
from host.protocol import flow
from host.protocol.diagnostic import Diagnostic
from host.protocol.form import GRID_KEYS, PROTOCOL_HOST, ZONE_CORE, ZONE_HOST, is_int, is_num

NOTES_MAX = 2000
PRODUCT_MAX = 80
GRID_SIDE_MAX = 200
GRID_SPACING_MM = (0.5, 100)
TOP_KEYS = ("protocol", "zone")
# A zone's volume is only worked out when none of these has a problem.
VOLUME_KEYS = ("*", "mode", "points", "dose_ul", "flow_ul_s", "duration_s", "volume_cap_ul")


def flow_path(proto, z):
    """Where a zone's flow is written: in the zone, in [protocol], or nowhere (its header)."""
    if "flow_ul_s" in z.table:
        return ("zone", z.index, "flow_ul_s")
    if "flow_ul_s" in proto.head:
        return ("protocol", "flow_ul_s")
    return ("zone", z.index)


def flow_figure(ul_s):
    """A flow to suggest, rounded down to a figure a practitioner would write."""
    return "%g" % (math.floor(ul_s) if ul_s >= 10 else math.floor(ul_s * 10) / 10)


def suggest(name, known):
    """The known key meant by name: the same word with its unit (pace -> pace_ms) first."""
    with_unit = [k for k in known if k.startswith(name + "_")]
    if len(with_unit) == 1:
        return with_unit[0]
    return closest(name, known)


class Checker:
    def __init__(self, proto, board):
        self.proto = proto
        self.board = board
        self.out = []
        self.flagged = set()  # (zone index, core key) already reported by a host check
        self.fw_bad = set()  # (zone index, core key) the firmware's check found wrong

    def add(self, path, key, value, allowed, why, flag=None):
        line = self.proto.lines.line_of(path)
        self.out.append(Diagnostic(self.proto.path, line, key, value, allowed, why))
        if flag is not None:
            self.flagged.add(flag)

    def unknown(self, path, label, table, known):
        for k in table:
            if k not in known:
                hint = suggest(k, known)
                why = "unknown key" + (" (did you mean %s?)" % hint if hint else "")
                self.add(path + (k,), label + k, table[k], None, why)

    def top(self, data):
        for k in data:
            if k not in TOP_KEYS:
                hint = closest(k, TOP_KEYS)
                why = "unknown table" + (" (did you mean [%s]?)" % hint if hint else "")
                self.add((k,), k, None, "[protocol], [[zone]]", why)
        if isinstance(data.get("zone"), dict):
            self.add(("zone",), "zone", None, "[[zone]] tables",
                     "zones are an array of tables: write [[zone]], not [zone]", flag=(-1, "zone"))
        head = data.get("protocol")
        if isinstance(head, dict):
            self.unknown(("protocol",), "protocol.", head, limits.PROTOCOL_KEYS + PROTOCOL_HOST)
            self.finite(-1, ("protocol",), "protocol.", head)
            self.text(("protocol",), "protocol.", head, "product", PRODUCT_MAX)
            self.text(("protocol",), "protocol.", head, "notes", NOTES_MAX)

    def finite(self, zone, path, label, table):
        """nan and inf parse as TOML floats; say so plainly instead of "out of range"."""
        for k, v in table.items():
            if isinstance(v, float) and not math.isfinite(v):
                self.add(path + (k,), label + k, v, None, "expected a finite number",
                         flag=(zone, k))

    def text(self, path, label, table, key, most):
        v = table.get(key)
        if v is not None and (not isinstance(v, str) or len(v) > most):
            self.add(path + (key,), label + key, v, "text of at most %d characters" % most,
                     "expected text")

    def zone(self, z):
        path, label, t = ("zone", z.index), "zone[%d]." % z.index, z.table
        if not isinstance(self.proto.data["zone"][z.index], dict):
            self.add(path, "zone[%d]" % z.index, self.proto.data["zone"][z.index], None,
                     "each zone is a [[zone]] table", flag=(z.index, "*"))
            return
        if not t:
            self.add(path, "zone[%d]" % z.index, None, None,
                     "empty zone: give at least a name, a mode or a preset, and the figures")
            self.flagged.add((z.index, "*"))
            return
        self.unknown(path, label, t, ZONE_CORE + ZONE_HOST)
        self.finite(z.index, path, label, t)
        self.text(path, label, t, "notes", NOTES_MAX)
        if "preset" in t and z.preset is None:
            hint = closest(presets.canonical(t["preset"]) or "", tuple(presets.PRESETS))
            why = "unknown preset" + (" (did you mean %s?)" % hint if hint else "")
            self.add(path + ("preset",), label + "preset", t["preset"],
                     ", ".join(presets.PRESETS), why)
            # What the preset would have given is not "missing" on top of the typo.
            for k in presets.GENERAL_FIELDS:
                if k not in t:
                    self.flagged.add((z.index, k))
        if "grid" in t:
            self.grid(z, path, label)
        cap = t.get("volume_cap_ul")
        if cap is not None and (not is_num(cap) or cap <= 0):
            self.add(path + ("volume_cap_ul",), label + "volume_cap_ul", cap, "a number > 0 µL",
                     "expected a volume cap in µL", flag=(z.index, "volume_cap_ul"))

    def volume(self, z):
        """Caps and syringe fill, once the figures they multiply have passed their checks."""
        bad = self.flagged | self.fw_bad
        if any((z.index, k) in bad for k in VOLUME_KEYS):
            return
        path, label = ("zone", z.index), "zone[%d]." % z.index
        cap = z.table.get("volume_cap_ul")
        vol_nl = z.volume_nl()
        if vol_nl is None:
            return
        if cap is not None and vol_nl > cap * 1000:
            self.add(path + ("volume_cap_ul",), label + "volume_cap_ul", cap,
                     "at most %g µL" % cap, "the zone would inject %g µL, more than its cap"
                     % (vol_nl / 1000))
        syringe = self.board.syringe(self.proto.head.get("syringe_ml"))
        if syringe is not None and vol_nl > syringe.volume_nl:
            src = z.source.get("points", "zone")
            key = "grid" if src == "grid" else "points"
            self.add(path + (key,), label + key, z.core.get("points"),
                     "at most %g µL per zone" % (syringe.volume_nl / 1000),
                     "the zone would inject %g µL, more than one %g mL syringe fill: split it"
                     % (vol_nl / 1000, syringe.volume_ml))

    def grid(self, z, path, label):
        g = z.table["grid"]
        gpath, glabel = path + ("grid",), label + "grid."
        if "points" in z.table:
            self.add(gpath, label + "grid", None, "points or grid",
                     "give a point count or a grid, not both")
        if not isinstance(g, dict):
            self.add(gpath, label + "grid", g, "{rows = R, cols = C, spacing_mm = S}",
                     "expected a table", flag=(z.index, "points"))
            return
        self.unknown(gpath, glabel, g, GRID_KEYS)
        for k in ("rows", "cols"):
            v = g.get(k)
            if not is_int(v) or not 1 <= v <= GRID_SIDE_MAX:
                why = "missing" if v is None else "expected a whole number of points"
                self.add(gpath + (k,), glabel + k, v, "1..%d" % GRID_SIDE_MAX, why,
                         flag=(z.index, "points"))
        s = g.get("spacing_mm", z.preset.spacing_mm if z.preset else None)
        lo, hi = GRID_SPACING_MM
        if s is None:
            self.add(gpath, glabel + "spacing_mm", None, "%g..%g mm" % (lo, hi),
                     "missing (no preset gives one)")
        elif not is_num(s) or not lo <= s <= hi:
            self.add(gpath + ("spacing_mm",), glabel + "spacing_mm", s, "%g..%g mm" % (lo, hi),
                     "not a spacing between two injection points")

    def firmware(self, core, zones):
        for p in limits.check_protocol(self.board, core):
            if p.kind == "pressure":
                # The flow is a usable figure; say where it is written (zone or [protocol]).
                self.add(flow_path(self.proto, zones[p.zone]), "zone[%d].%s" % (p.zone, p.key),
                         p.value, p.allowed, p.why)
                continue
            self.fw_bad.add((p.zone, p.key))
            if (p.zone, p.key) in self.flagged or (p.zone, "*") in self.flagged:
                continue
            if p.zone < 0 and p.key not in TOP_KEYS and not isinstance(
                    self.proto.data.get("protocol"), dict):
                continue  # the missing [protocol] table is reported once, not per key
            if p.zone < 0:
                path = (p.key,) if p.key in TOP_KEYS else ("protocol", p.key)
                label = p.key if p.key in TOP_KEYS else "protocol." + p.key
                absent = p.key not in TOP_KEYS and p.key not in self.proto.head
                self.add(path, label, p.value, p.allowed, "missing" if absent else p.why)
                continue
            z = zones[p.zone]
            src = z.source.get(p.key, "zone")
            path = ("zone", p.zone, p.key)
            why = "missing" if p.key not in z.core and p.key != "zone" else p.why
            if src == "preset":
                path = ("zone", p.zone, "preset")
                why += " (value from preset %s; override it in the zone)" % z.preset.name
            elif src == "grid":
                path = ("zone", p.zone, "grid")
                why += " (from the grid)"
            self.add(path, "zone[%d].%s" % (p.zone, p.key), p.value, p.allowed, why)


def errors(proto, board):
    """Every hard error of a loaded protocol on a board, sorted by line."""
    c = Checker(proto, board)
    data = proto.data
    c.top(data)
    zones = proto.zones
    for z in zones:
        c.zone(z)
    # Keys the host already called unknown are left out of the core, so they are said once.
    c.firmware(proto.core(), zones)
    for z in zones:
        c.volume(z)
    return sorted(c.out, key=lambda d: d.line)
