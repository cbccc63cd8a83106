"""Hard limits of a protocol on a board: the same functions run on the laptop and on the gun.

The firmware checks every protocol it is given, even one the host already checked; the host
calls check_protocol() so both sides say the same thing. A protocol here is the core form
(DESIGN.md "Protocol files"): {"protocol": {...}, "zone": [{...}, ...]} with the units in the
key names. Each problem is a Problem naming where, the key, the value, what is allowed and
why, so that nothing needs to be guessed from a message.
"""

from firmware import dosing, shottime, units
from firmware.board import closest, is_number
from firmware.wire.modes import MODES, RUNNABLE

PROTOCOL_KEYS = ("name", "syringe_ml", "needle_mm", "needle_gauge", "viscosity_mpas")
# Keys every zone has, then the keys each mode needs besides.
ZONE_KEYS = ("name", "mode", "points", "depth_mm", "dose_ul")
MODE_KEYS = {
    "point": ("pace_ms",),
    "burst": ("rate_per_min",),
    "continuous": ("flow_ul_s", "duration_s"),
    "perfusion": ("bolus_every_s",),
}
# Optional per-zone keys the core understands.
ZONE_OPTIONAL = ("pace_ms", "flow_ul_s", "hold_ms")
ZONES_MAX = 64
NAME_MAX = 40
GAUGE_RANGE = (25, 34)
VISCOSITY_RANGE = (0.3, 5000)
DURATION_MAX_S = 600
BOLUS_EVERY_RANGE_S = (1, 600)


def zone_flow_nl_s(board, syringe, zone, head=None):
    """The flow a zone doses at: its own flow_ul_s (in the core form a protocol-wide flow
    is written into each zone), else the fastest the protocol's line passes within the
    dose pressure budget (dosing.safe_flow_nl_s; head is the [protocol] table) up to the
    board's; capped by the syringe's. An explicit flow is taken as written (check_line
    refuses one the needle cannot pass). The one rule: the gun's session, its checks here
    and the laptop's plans all take it from here."""
    flow_nl_s = board.flow_nl_s
    if "flow_ul_s" in zone:
        flow_nl_s = units.milli(zone["flow_ul_s"])
    elif head is not None:
        est = line_kpa(board, head, syringe, flow_nl_s)
        if est is not None:
            safe = dosing.safe_flow_nl_s(board, est[0])
            if safe < flow_nl_s:
                flow_nl_s = safe if safe > 0 else 1
    return min(flow_nl_s, syringe.max_flow_nl_s)


def flow_from_line(board, syringe, zone, head):
    """Whether the line, not the zone or the board, sets this zone's flow."""
    return "flow_ul_s" not in zone and \
        zone_flow_nl_s(board, syringe, zone, head) < min(board.flow_nl_s, syringe.max_flow_nl_s)


class Problem:
    """One violated limit. zone is the zone's index or -1 for the [protocol] table."""

    def __init__(self, zone, key, value, allowed, why, kind="range"):
        self.zone = zone
        self.key = key
        self.value = value
        self.allowed = allowed
        self.why = why
        # "range" for a figure outside its limits; "pressure" for a flow the needle cannot
        # pass (the figure itself is usable, e.g. to work out volumes).
        self.kind = kind

    def where(self):
        return "protocol" if self.zone < 0 else "zone[%d]" % self.zone

    def message(self):
        text = "%s.%s" % (self.where(), self.key)
        if self.value is not None:
            text += " = %r" % (self.value,)
        text += ": " + self.why
        if self.allowed:
            text += " (allowed: %s)" % self.allowed
        return text

    def __repr__(self):
        return "Problem(%s)" % self.message()


def _fmt(x):
    """A figure for a message: 4.0 -> '4', 0.5 -> '0.5'."""
    if isinstance(x, float) and -1e15 < x < 1e15 and x == int(x):  # nan, inf: as they are
        return str(int(x))
    return str(x)


def _num(problems, zone, table, key, lo, hi, unit, why, integer=False):
    """Check table[key] is a number in lo..hi; return it, or None after recording a problem."""
    v = table.get(key)
    allowed = "%s..%s %s" % (_fmt(lo), _fmt(hi), unit)
    if v is None:
        problems.append(Problem(zone, key, None, allowed, "missing"))
        return None
    if not is_number(v) or (integer and not isinstance(v, int)):
        kind = "a whole number" if integer else "a number"
        problems.append(Problem(zone, key, v, allowed, "expected %s" % kind))
        return None
    if not lo <= v <= hi:  # written so that NaN (TOML's nan) fails too
        problems.append(Problem(zone, key, v, allowed, why))
        return None
    return v


def _unknown(problems, zone, table, known):
    for k in sorted(table):
        if k not in known:
            hint = closest(k, known)
            why = "unknown key" + (" (did you mean %s?)" % hint if hint else "")
            problems.append(Problem(zone, k, table[k], ", ".join(sorted(known)), why))


def check_header(board, head, problems):
    """The [protocol] table: syringe and needle must exist on the board."""
    _unknown(problems, -1, head, PROTOCOL_KEYS)
    name = head.get("name")
    if not isinstance(name, str) or not name or len(name) > NAME_MAX:
        problems.append(Problem(-1, "name", name, "1..%d characters" % NAME_MAX, "needs a name"))
    sizes = board.syringe_sizes()
    ml = head.get("syringe_ml")
    if board.syringe(ml) is None or isinstance(ml, bool):
        allowed = ", ".join(_fmt(s) for s in sizes) + " mL"
        problems.append(Problem(-1, "syringe_ml", ml, allowed, "not a syringe this board takes"))
    mm = head.get("needle_mm")
    if board.depth_cap_um(mm) is None or isinstance(mm, bool):
        allowed = ", ".join(_fmt(n) for n in board.needle_lengths()) + " mm"
        problems.append(Problem(-1, "needle_mm", mm, allowed, "not a needle this board takes"))
    _num(problems, -1, head, "needle_gauge", GAUGE_RANGE[0], GAUGE_RANGE[1], "G",
         "not a mesotherapy needle gauge", integer=True)
    _num(problems, -1, head, "viscosity_mpas", VISCOSITY_RANGE[0], VISCOSITY_RANGE[1], "mPa·s",
         "outside the fluids the dose model covers")


def shot_parts_us(board, syringe, head, depth_um, dose_nl, flow_nl_s, hold_ms=-1, held=True):
    """One point shot, part by part in µs (firmware/shottime.py's ShotTime): needle in and
    out, take-up, dose, the hold the gun makes on this protocol's line (head: the [protocol]
    table), relief. held: the gun doses on its line pressure (compensated, the default), if
    the board has the sensor; else it dwells the zone's hold (hold_ms, -1: the board's)."""
    held = held and board.pins.get("pressure_adc") is not None
    return shottime.estimate(board, syringe, fluid_of(board, head), depth_um, dose_nl, flow_nl_s,
                             hold_ms, held)


def shot_time_ms(board, syringe, head, depth_um, dose_nl, flow_nl_s, hold_ms=-1, held=True):
    """Shortest time one point shot takes, from the trigger to the needle out (see
    shot_parts_us): the pace check, the burst limit, the plan's times all take it here."""
    return shot_parts_us(board, syringe, head, depth_um, dose_nl, flow_nl_s, hold_ms,
                         held).total_ms()


def fluid_of(board, head):
    """(gauge, needle µm, viscosity in 1/1000 mPa·s) of a [protocol] table, as the dose
    model takes it, or None if its needle (one of the board's) or fluid figures are unusable."""
    if not isinstance(head, dict):
        return None
    gauge = head.get("needle_gauge")
    mm = head.get("needle_mm")
    visc = head.get("viscosity_mpas")
    if board.depth_cap_um(mm) is None or not isinstance(gauge, int) or isinstance(gauge, bool):
        return None
    if not GAUGE_RANGE[0] <= gauge <= GAUGE_RANGE[1] or not is_number(visc):
        return None
    if not VISCOSITY_RANGE[0] <= visc <= VISCOSITY_RANGE[1]:
        return None
    return gauge, units.milli(mm), units.milli(visc)


def line_kpa(board, head, syringe, flow_nl_s):
    """(line, kPa): the fluid path of the protocol and the pressure it needs while dosing at
    flow_nl_s (needle, stopper friction and tissue), or None if the header's needle or fluid
    figures are unusable."""
    fluid = fluid_of(board, head)
    if fluid is None:
        return None
    line = dosing.Line(syringe, fluid[0], fluid[1], fluid[2])
    return line, line.pressure_kpa(flow_nl_s) + dosing.STICTION_KPA + dosing.TISSUE_KPA


def check_line(board, head, syringe, i, flow_nl_s, problems):
    """A flow the needle cannot pass below the occlusion limit would fault every shot."""
    for p in problems:
        if p.zone == i and p.key == "flow_ul_s":
            return
    est = line_kpa(board, head, syringe, flow_nl_s)
    if est is None or est[1] <= board.pressure_max_kpa:
        return
    safe = dosing.safe_flow_nl_s(board, est[0])
    why = ("a %s mPa·s fluid through a %d G, %s mm needle needs about %d kPa at %s µL/s; "
           "the gun stops at %d kPa (occlusion): set flow_ul_s lower"
           % (_fmt(head["viscosity_mpas"]), head["needle_gauge"], _fmt(head["needle_mm"]),
              est[1], _fmt(flow_nl_s / 1000), board.pressure_max_kpa))
    problems.append(Problem(i, "flow_ul_s", flow_nl_s / 1000,
                            "at most %s µL/s" % _fmt(safe // 100 / 10), why, "pressure"))


def _pace(problems, board, i, zone, shot):
    """A point zone's pace: within the board's pacing, and no shorter than one shot takes
    (then the message says what the shot is made of: which part binds)."""
    lo = board.pace_min_ms
    why = "outside the board's pacing"
    if shot is not None and shot.total_ms() > lo:
        lo = shot.total_ms()
        pace = zone.get("pace_ms")
        if is_number(pace) and pace < lo:
            why = "shorter than one shot takes on this line: %d ms = %s" % (lo, shot.words())
    _num(problems, i, zone, "pace_ms", lo, board.pace_max_ms, "ms", why, integer=True)


def check_zone(board, head, i, zone, names, problems, held=True):
    """One zone: returns its planned volume in nL (0 if it could not be worked out); held as
    for shot_parts_us."""
    if not isinstance(zone, dict):
        problems.append(Problem(i, "zone", zone, "a table", "each zone is a [[zone]] table"))
        return 0
    mode = zone.get("mode")
    if not isinstance(mode, str):
        # A list or a table is no mode, and it could not key MODE_KEYS below.
        problems.append(Problem(i, "mode", mode, ", ".join(MODES), "expected a mode name"))
        mode = None
    known = ZONE_KEYS + ZONE_OPTIONAL
    for k in MODE_KEYS.get(mode, ()):
        if k not in known:
            known += (k,)
    _unknown(problems, i, zone, known)
    name = zone.get("name")
    if not isinstance(name, str) or not name or len(name) > NAME_MAX:
        problems.append(Problem(i, "name", name, "1..%d characters" % NAME_MAX, "needs a name"))
    elif name in names:
        problems.append(Problem(i, "name", name, "a name not used before",
                                "zone[%d] already has this name" % names[name]))
    else:
        names[name] = i
    if mode is None:
        return 0
    if mode not in MODES:
        problems.append(Problem(i, "mode", mode, ", ".join(MODES), "unknown injection mode"))
        return 0
    if mode not in RUNNABLE:
        # Checked with the limits, so the laptop and the gun refuse it alike.
        problems.append(Problem(i, "mode", mode, ", ".join(RUNNABLE),
                                "this firmware cannot run that mode"))
    points = _num(problems, i, zone, "points", 1, board.points_max, "shots",
                  "outside what the board allows per zone", integer=True)
    syringe = board.syringe(head.get("syringe_ml"))
    cap_um = board.depth_cap_um(head.get("needle_mm"))
    depth_hi = cap_um if cap_um is not None else board.carriage.travel_um
    why = "deeper than the %s mm needle allows" % _fmt(head.get("needle_mm"))
    if mode == "burst" and board.burst_depth_max_um < depth_hi:
        depth_hi = board.burst_depth_max_um
        why = "burst mode is limited to %s mm deep" % _fmt(depth_hi / 1000)
    depth = _num(problems, i, zone, "depth_mm", 0.1, depth_hi / 1000, "mm", why)
    dose_hi = board.dose_max_nl
    if syringe is not None and syringe.volume_nl < dose_hi:
        dose_hi = syringe.volume_nl
    dose = _num(problems, i, zone, "dose_ul", 0.5, dose_hi / 1000, "µL",
                "more than one shot can deliver with this syringe and board")
    flow_nl_s = board.flow_nl_s
    if syringe is not None:
        flow_hi = syringe.max_flow_nl_s
        usable = True
        if "flow_ul_s" in zone:
            if mode == "continuous":
                flow_hi = syringe.max_continuous_nl_s
            usable = _num(problems, i, zone, "flow_ul_s", 0.1, flow_hi / 1000, "µL/s",
                          "faster than the board allows for a %s mL syringe"
                          % _fmt(syringe.volume_ml)) is not None
        # A flow in range is at most the syringe's: the rule gives it as written; none, the
        # line's fastest. An unusable one leaves the board's for the checks that follow.
        flow_nl_s = zone_flow_nl_s(board, syringe, zone, head) if usable else \
            min(flow_nl_s, flow_hi)
    hold_ms = -1
    if "hold_ms" in zone:
        if _num(problems, i, zone, "hold_ms", 0, 5000, "ms", "dwell out of range",
                integer=True) is not None:
            hold_ms = zone["hold_ms"]
    if syringe is not None and mode != "continuous":
        check_line(board, head, syringe, i, flow_nl_s, problems)
    shot = None
    if syringe is not None and depth is not None and dose is not None:
        shot = shot_parts_us(board, syringe, head, units.milli(depth), units.milli(dose),
                             flow_nl_s, hold_ms, held)
    if mode == "point":
        _pace(problems, board, i, zone, shot)
    elif mode == "burst" and syringe is not None:
        cap = syringe.max_burst_per_min
        hi = cap
        why = "faster than the board allows for a %s mL syringe" % _fmt(syringe.volume_ml)
        if shot is not None:
            shot_ms = shot.total_ms()
            took = "one shot takes %d ms = %s" % (shot_ms, shot.words())
            if 60000 // shot_ms < cap:
                hi = 60000 // shot_ms
                why = "faster than %s (the syringe's cap: %d)" % (took, cap)
            else:
                why += " (%s: %d)" % (took, 60000 // shot_ms)
        _num(problems, i, zone, "rate_per_min", 1, hi, "shots/min", why, integer=True)
    elif mode == "continuous":
        if "flow_ul_s" not in zone:
            problems.append(Problem(i, "flow_ul_s", None, None, "missing"))
        if _num(problems, i, zone, "duration_s", 0.1, DURATION_MAX_S, "s",
                "pass too long") is None:
            return 0
    elif mode == "perfusion":
        _num(problems, i, zone, "bolus_every_s", BOLUS_EVERY_RANGE_S[0], BOLUS_EVERY_RANGE_S[1],
             "s", "bolus interval out of range")
    if points is None or dose is None:
        return 0
    if mode == "continuous":
        d = zone["duration_s"]
        total = points * (flow_nl_s * units.milli(d) // 1000)
    else:
        total = points * units.milli(dose)
    if total > board.zone_max_nl:
        problems.append(Problem(i, "points", points, "at most %s µL per zone" % _fmt(
            board.zone_max_nl / 1000), "the zone would inject %s µL" % _fmt(total / 1000)))
    return total


def check_protocol(board, proto, held=True):
    """Every hard-limit problem of a core-form protocol on a board, in file order. held: the
    gun doses on its line pressure (compensated), so its shots take that hold's time."""
    problems = []
    if not isinstance(proto, dict):
        return [Problem(-1, "protocol", None, None, "expected a [protocol] table and zones")]
    for k in sorted(proto):
        if k not in ("protocol", "zone"):
            problems.append(Problem(-1, k, None, "[protocol], [[zone]]", "unknown table"))
    head = proto.get("protocol")
    if not isinstance(head, dict):
        problems.append(Problem(-1, "protocol", None, None, "missing the [protocol] table"))
        head = {}
    check_header(board, head, problems)
    zones = proto.get("zone")
    if not isinstance(zones, list) or not zones:
        problems.append(Problem(-1, "zone", None, "1..%d zones" % ZONES_MAX,
                                "a protocol needs at least one [[zone]]"))
        return problems
    if len(zones) > ZONES_MAX:
        problems.append(Problem(-1, "zone", len(zones), "1..%d zones" % ZONES_MAX,
                                "too many zones"))
        return problems
    names = {}
    total = 0
    for i, zone in enumerate(zones):
        total += check_zone(board, head, i, zone, names, problems, held)
    if total > board.session_max_nl:
        problems.append(Problem(-1, "zone", None, "at most %s µL per session" % _fmt(
            board.session_max_nl / 1000), "the session would inject %s µL" % _fmt(total / 1000)))
    return problems
