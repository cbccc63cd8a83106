"""The board checker: every key of a board's data with its type, unit and range, and the
messages naming what is wrong (firmware/board.py's validate() runs it, then lets it go).
"""

from firmware.board import closest, is_number

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


def unknown_key_message(where, key, known):
    hint = closest(key, known)
    msg = "%s%s: unknown key" % (where, key)
    if hint:
        msg += " (did you mean %s? units are part of the key name)" % hint
    return msg


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
