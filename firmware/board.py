"""Board definitions: the one place where boards/*.py data is checked and turned into numbers.

A board file holds a dict BOARD of plain data. Every key is known here with its type, unit
(in its name) and range; an unknown key is an error naming it (with a close known key), so a
misspelt or unit-less key never silently falls back to a default. load() turns the checked
data into integers (µm, nL, steps, ticks) that the core computes with exactly.
"""

from firmware import units

PIN_NAMES = (
    "plunger_step",
    "plunger_dir",
    "plunger_diag",
    "carriage_step",
    "carriage_dir",
    "carriage_diag",
    "driver_enable",
    "plunger_home",
    "plunger_end",
    "carriage_home",
    "trigger",
    "contact",
    "pedal",
    "buzzer",
    "led",
    "pressure_adc",
)
# Pins a board may leave out (None): the feature is then absent.
OPTIONAL_PINS = ("pedal", "pressure_adc", "plunger_home", "led")

# key: (kind, low, high); kind is "int", "num", "str" or "pin".
AXIS_KEYS = {
    "driver": ("str", None, None),
    "steps_per_rev": ("int", 24, 1000),
    "microsteps": ("int", 1, 256),
    "lead_mm": ("num", 0.1, 20.0),
    "max_speed_mm_s": ("num", 0.1, 200.0),
    "accel_mm_s2": ("num", 1.0, 100000.0),
    "home_speed_mm_s": ("num", 0.05, 50.0),
    "travel_mm": ("num", 1.0, 300.0),
    "backlash_um": ("num", 0, 500),
}
SYRINGE_KEYS = {
    "volume_ml": ("num", 0.1, 100.0),
    "bore_mm": ("num", 1.0, 40.0),
    "max_flow_ul_s": ("num", 1, 5000),
    "max_continuous_ul_s": ("num", 1, 5000),
    "max_burst_per_min": ("int", 1, 1200),
}
NEEDLE_KEYS = {
    "length_mm": ("num", 1, 50),
    "depth_cap_mm": ("num", 0.1, 50),
}
SHOT_KEYS = {
    "flow_ul_s": ("num", 1, 5000),
    "hold_ms": ("int", 0, 5000),
    "relief_um": ("num", 0, 1000),
    "contact_debounce_ms": ("int", 0, 500),
    "trigger_debounce_ms": ("int", 0, 500),
    "state_timeout_ms": ("int", 100, 60000),
    "safe_speed_mm_s": ("num", 0.1, 50),
}
LIMIT_KEYS = {
    "dose_max_ul": ("num", 0.1, 10000),
    "zone_max_ul": ("num", 1, 100000),
    "session_max_ul": ("num", 1, 1000000),
    "points_max": ("int", 1, 100000),
    "pace_min_ms": ("int", 10, 600000),
    "pace_max_ms": ("int", 10, 3600000),
    "burst_depth_max_mm": ("num", 0.1, 50),
    "pressure_max_kpa": ("int", 1, 10000),
    "step_error_max_us": ("num", 0.01, 100),
}
TOP_KEYS = {
    "name": ("str", None, None),
    "mcu": ("str", None, None),
    "mpy_arch": ("str", None, None),
    "port": ("str", None, None),
    "tick_period": ("int", 1 << 16, 1 << 62),
    "step_clock_hz": ("int", 1000000, 500000000),
    "pins": ("dict", None, None),
    "plunger": ("dict", None, None),
    "carriage": ("dict", None, None),
    "syringes": ("list", None, None),
    "needles": ("list", None, None),
    "shot": ("dict", None, None),
    "limits": ("dict", None, None),
}


class BoardError(ValueError):
    """A board definition that cannot be used; the message names every bad key."""


def _edit_distance(a, b):
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
        prev = cur
    return prev[len(b)]


def closest(name, known):
    """The known key nearest to name, or None if nothing is near enough to suggest."""
    best = None
    best_d = 1 + len(name) // 2
    stem = name.split("_")[0]
    for k in sorted(known):
        d = _edit_distance(name, k)
        if d < best_d or (best is None and k.split("_")[0] == stem):
            best, best_d = k, d
    return best


def unknown_key_message(where, key, known):
    hint = closest(key, known)
    msg = "%s%s: unknown key" % (where, key)
    if hint:
        msg += " (did you mean %s? units are part of the key name)" % hint
    return msg


def is_number(v):
    return (isinstance(v, int) or isinstance(v, float)) and not isinstance(v, bool)


def check_value(where, key, v, spec, errors):
    kind, lo, hi = spec
    if kind == "str":
        if not isinstance(v, str) or not v:
            errors.append("%s%s: expected a non-empty string, got %r" % (where, key, v))
        return
    if kind == "dict":
        if not isinstance(v, dict):
            errors.append("%s%s: expected a table, got %r" % (where, key, v))
        return
    if kind == "list":
        if not isinstance(v, list) and not isinstance(v, tuple):
            errors.append("%s%s: expected a list, got %r" % (where, key, v))
        return
    if kind == "int" and (not isinstance(v, int) or isinstance(v, bool)):
        errors.append("%s%s: expected a whole number in %s..%s, got %r" % (where, key, lo, hi, v))
        return
    if not is_number(v):
        errors.append("%s%s: expected a number in %s..%s, got %r" % (where, key, lo, hi, v))
        return
    if v < lo or v > hi:
        errors.append("%s%s: %r is outside %s..%s" % (where, key, v, lo, hi))


def check_table(where, table, keys, errors, required=True):
    if not isinstance(table, dict):
        return
    for k in sorted(table):
        if k not in keys:
            errors.append(unknown_key_message(where, k, keys))
    for k in sorted(keys):
        if k in table:
            check_value(where, k, table[k], keys[k], errors)
        elif required:
            errors.append("%s%s: missing" % (where, k))


def check_pins(pins, errors):
    if not isinstance(pins, dict):
        return
    for k in sorted(pins):
        if k not in PIN_NAMES:
            errors.append(unknown_key_message("pins.", k, PIN_NAMES))
    used = {}
    for k in PIN_NAMES:
        if k not in pins:
            errors.append("pins.%s: missing (use None if the board has none)" % k)
            continue
        v = pins[k]
        if v is None:
            if k not in OPTIONAL_PINS:
                errors.append("pins.%s: required, the board cannot work without it" % k)
            continue
        if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > 255:
            errors.append("pins.%s: expected a pin number 0..255 or None, got %r" % (k, v))
            continue
        if v in used:
            errors.append("pins.%s: pin %d is already used by pins.%s" % (k, v, used[v]))
        used[v] = k


def validate(data):
    """Return the list of error messages for a board's data (empty when usable)."""
    errors = []
    if not isinstance(data, dict):
        return ["board: expected a table of keys, got %r" % (data,)]
    check_table("", data, TOP_KEYS, errors)
    check_pins(data.get("pins"), errors)
    check_table("plunger.", data.get("plunger"), AXIS_KEYS, errors)
    check_table("carriage.", data.get("carriage"), AXIS_KEYS, errors)
    check_table("shot.", data.get("shot"), SHOT_KEYS, errors)
    check_table("limits.", data.get("limits"), LIMIT_KEYS, errors)
    for name, keys in (("syringes", SYRINGE_KEYS), ("needles", NEEDLE_KEYS)):
        items = data.get(name)
        if not isinstance(items, (list, tuple)):
            continue
        if not items:
            errors.append("%s: needs at least one entry" % name)
        for i, item in enumerate(items):
            where = "%s[%d]." % (name, i)
            if not isinstance(item, dict):
                errors.append("%s: expected a table, got %r" % (where[:-1], item))
                continue
            check_table(where, item, keys, errors)
    if not errors:
        for n in data["needles"]:
            if n["depth_cap_mm"] > n["length_mm"]:
                errors.append(
                    "needles: depth_cap_mm %r is longer than the needle (%r mm)"
                    % (n["depth_cap_mm"], n["length_mm"])
                )
        cap = max(n["depth_cap_mm"] for n in data["needles"])
        if cap > data["carriage"]["travel_mm"]:
            errors.append(
                "carriage.travel_mm: %r mm cannot reach the deepest needle cap %r mm"
                % (data["carriage"]["travel_mm"], cap)
            )
    return errors


class Axis:
    """One axis's mechanics in integers: steps per mm as num/den, speeds in steps/s."""

    def __init__(self, d):
        # steps per mm = num / den exactly, whatever the lead.
        self.num = d["steps_per_rev"] * d["microsteps"] * 1000
        self.den = units.milli(d["lead_mm"])  # lead in µm
        self.max_speed_sps = self.um_to_steps(units.milli(d["max_speed_mm_s"]))
        self.accel_sps2 = self.um_to_steps(units.milli(d["accel_mm_s2"]))
        self.home_speed_sps = self.um_to_steps(units.milli(d["home_speed_mm_s"]))
        self.travel_um = units.milli(d["travel_mm"])
        self.travel_steps = self.um_to_steps(self.travel_um)
        self.backlash_steps = self.um_to_steps(units.whole(d["backlash_um"]))

    def um_to_steps(self, um):
        """Micrometres of travel to (micro)steps, rounded to the nearest step."""
        return units.div_round(um * self.num, self.den * 1000)

    def steps_to_um(self, steps):
        return units.div_round(steps * self.den * 1000, self.num)


class Syringe:
    def __init__(self, d):
        self.volume_ml = d["volume_ml"]
        self.volume_nl = units.milli(d["volume_ml"]) * 1000
        self.bore_um = units.milli(d["bore_mm"])
        self.max_flow_nl_s = units.milli(d["max_flow_ul_s"])
        self.max_continuous_nl_s = units.milli(d["max_continuous_ul_s"])
        self.max_burst_per_min = d["max_burst_per_min"]


class Board:
    """A validated board, in integer units. Build with load()."""

    def __init__(self, data):
        self.data = data
        self.name = data["name"]
        self.mcu = data["mcu"]
        self.mpy_arch = data["mpy_arch"]
        self.port = data["port"]
        self.tick_period = data["tick_period"]
        self.step_clock_hz = data["step_clock_hz"]
        self.pins = data["pins"]
        self.plunger = Axis(data["plunger"])
        self.carriage = Axis(data["carriage"])
        self.syringes = [Syringe(s) for s in data["syringes"]]
        self.needles = [(units.milli(n["length_mm"]), units.milli(n["depth_cap_mm"]))
                        for n in data["needles"]]
        shot = data["shot"]
        self.flow_nl_s = units.milli(shot["flow_ul_s"])
        self.hold_ms = shot["hold_ms"]
        self.relief_um = units.whole(shot["relief_um"])
        self.contact_debounce_ms = shot["contact_debounce_ms"]
        self.trigger_debounce_ms = shot["trigger_debounce_ms"]
        self.state_timeout_ms = shot["state_timeout_ms"]
        self.safe_speed_um_s = units.milli(shot["safe_speed_mm_s"])
        lim = data["limits"]
        self.dose_max_nl = units.milli(lim["dose_max_ul"])
        self.zone_max_nl = units.milli(lim["zone_max_ul"])
        self.session_max_nl = units.milli(lim["session_max_ul"])
        self.points_max = lim["points_max"]
        self.pace_min_ms = lim["pace_min_ms"]
        self.pace_max_ms = lim["pace_max_ms"]
        self.burst_depth_max_um = units.milli(lim["burst_depth_max_mm"])
        self.pressure_max_kpa = lim["pressure_max_kpa"]
        # The planner's allowance, in step-clock ticks, for a step's deviation from the profile.
        self.step_tol_ticks = units.milli(lim["step_error_max_us"]) * self.step_clock_hz // (
            1000 * 1000000
        )

    def syringe(self, volume_ml):
        """The syringe of that volume, or None if the board has no such syringe."""
        for s in self.syringes:
            if s.volume_ml == volume_ml:
                return s
        return None

    def depth_cap_um(self, needle_mm):
        """Usable depth for a needle length, or None if the board has no such needle."""
        if not is_number(needle_mm) or not 0 < needle_mm < 1000:  # also refuses nan, inf
            return None
        length_um = units.milli(needle_mm)
        for length, cap in self.needles:
            if length == length_um:
                return cap
        return None

    def syringe_sizes(self):
        return [s.volume_ml for s in self.syringes]

    def needle_lengths(self):
        return [n["length_mm"] for n in self.data["needles"]]


def load(data):
    """Validate and convert board data; raise BoardError listing every problem."""
    errors = validate(data)
    if errors:
        name = data.get("name", "?") if isinstance(data, dict) else "?"
        raise BoardError("board %s: %s" % (name, "; ".join(errors)))
    return Board(data)


def by_name(name):
    """Load boards/<name>.py (on the device: board.py beside the firmware)."""
    try:
        mod = __import__("boards." + name, None, None, ["BOARD"])
    except ImportError:
        raise BoardError("board %s: no such board definition" % name)
    return load(mod.BOARD)
