"""The practitioner's form turned into the core form the firmware takes.

Presets are resolved (the zone's own keys win), a grid becomes a point count, and the keys
only the laptop uses (product, notes, preset, grid, volume caps) are stripped. For every
core key we remember where its value came from ("zone", "preset" or "grid"), so a problem
the firmware finds can be reported on the line the practitioner has to change.
"""

from firmware import limits, units
from host import presets

PROTOCOL_HOST = ("product", "notes", "flow_ul_s")
PACE_STEP_MS = 50
ZONE_HOST = ("preset", "grid", "volume_cap_ul", "notes")
GRID_KEYS = ("rows", "cols", "spacing_mm")
# Every key some mode of the core accepts in a zone.
ZONE_CORE = tuple(
    dict.fromkeys(limits.ZONE_KEYS + limits.ZONE_OPTIONAL
                  + tuple(k for keys in limits.MODE_KEYS.values() for k in keys))
)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def grid_of(zone, preset):
    """(rows, cols, spacing_mm) of a well-formed grid, else None."""
    grid = zone.get("grid")
    if not isinstance(grid, dict):
        return None
    rows, cols = grid.get("rows"), grid.get("cols")
    spacing = grid.get("spacing_mm", preset.spacing_mm if preset else None)
    if not (is_int(rows) and is_int(cols) and is_num(spacing)):
        return None
    return rows, cols, spacing


class Zone:
    """One zone in both forms: the practitioner's table and the core table."""

    def __init__(self, index, table, head, board):
        self.index = index
        self.table = table if isinstance(table, dict) else {}
        self.preset = presets.get(self.table.get("preset"))
        self.grid = grid_of(self.table, self.preset)
        self.core, self.source = self._resolve(head)
        self._fit_preset_pace(head, board)

    def _resolve(self, head):
        core, source = {}, {}
        if self.preset is not None:
            for k, v in self.preset.fields.items():
                if k in ZONE_CORE:
                    core[k], source[k] = v, "preset"
        if "flow_ul_s" in head:
            core["flow_ul_s"], source["flow_ul_s"] = head["flow_ul_s"], "protocol"
        for k, v in self.table.items():
            if k not in ZONE_HOST and k in ZONE_CORE:
                core[k], source[k] = v, "zone"
        if self.grid is not None and "points" not in self.table:
            core["points"], source["points"] = self.grid[0] * self.grid[1], "grid"
        # A preset's figure for another mode (pace_ms when the zone says burst) is dropped.
        mode = core.get("mode")
        mode_keys = limits.MODE_KEYS.get(mode, ()) if isinstance(mode, str) else ()
        allowed = limits.ZONE_KEYS + mode_keys
        for k in list(core):
            if source[k] == "preset" and k not in allowed:
                del core[k], source[k]
        return core, source

    def _fit_preset_pace(self, head, board):
        """A preset's pace is the technique's quickest rhythm: when a shot takes longer
        (a slow flow for a viscous fluid), the pace becomes the shot time, rounded up."""
        z = self.core
        if self.source.get("pace_ms") != "preset" or z.get("mode") != "point":
            return
        syringe = board.syringe(head.get("syringe_ml"))
        figures = (z.get("depth_mm"), z.get("dose_ul"), z.get("flow_ul_s", 1))
        if syringe is None or not all(is_num(x) and 0 < x < 1e6 for x in figures):
            return
        flow_nl_s = limits.zone_flow_nl_s(board, syringe, z, head)
        shot_ms = limits.shot_time_ms(board, syringe, head, units.milli(z["depth_mm"]),
                                      units.milli(z["dose_ul"]), flow_nl_s)
        if shot_ms > z["pace_ms"]:
            z["pace_ms"] = -(-shot_ms // PACE_STEP_MS) * PACE_STEP_MS

    @property
    def name(self):
        return self.table.get("name")

    def volume_nl(self):
        """Planned volume of the zone in nL, or None if it cannot be worked out."""
        z = self.core
        if not (is_int(z.get("points")) and is_num(z.get("dose_ul"))):
            return None
        if z.get("mode") == "continuous":
            if not (is_num(z.get("flow_ul_s")) and is_num(z.get("duration_s"))):
                return None
            return z["points"] * round(z["flow_ul_s"] * z["duration_s"] * 1000)
        return z["points"] * round(z["dose_ul"] * 1000)


def zones_of(data, board):
    zones = data.get("zone")
    if not isinstance(zones, list):
        return []
    head = data.get("protocol")
    head = head if isinstance(head, dict) else {}
    return [Zone(i, z, head, board) for i, z in enumerate(zones)]


def core_of(data, zones):
    """The core form: {"protocol": {...}, "zone": [...]} with host-only keys stripped."""
    core = {}
    head = data.get("protocol")
    if isinstance(head, dict):
        core["protocol"] = {k: v for k, v in head.items() if k in limits.PROTOCOL_KEYS}
    elif head is not None:
        core["protocol"] = head  # not a table: the firmware's check says so
    zones_in = data.get("zone")
    core["zone"] = [dict(z.core) for z in zones] if isinstance(zones_in, list) else zones_in
    if core["zone"] is None:
        del core["zone"]
    return core
