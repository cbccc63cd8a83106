"""Settings and calibration of one gun: one validated file, replaced atomically.

Holds the plunger's volume correction (cal_ppm, handed to units.PlungerScale), the lead
screw's backlash as measured on this gun (dosing's relief takes it up; absent, the board's
figure is used) and when and how they were measured. Unknown keys and out-of-range values are
refused whole, naming each, so a bad file never half-applies; a missing or corrupt file
gives the nominal values and says so.
"""

import json

from firmware.units import PPM

NAME = "settings.json"
# key: (low, high); all whole numbers.
KEYS = {
    "cal_ppm": (800000, 1200000),  # ±20 %: beyond that the syringe or bore is wrong
    "backlash_um": (0, 500),
    "cal_shots": (0, 10000),
    "cal_dose_nl": (0, 10000000),
    "cal_time": (0, 1 << 40),  # seconds since the epoch of the host that calibrated
}
# backlash_um None: not measured on this gun, the board's figure holds.
DEFAULTS = {"cal_ppm": PPM, "backlash_um": None, "cal_shots": 0, "cal_dose_nl": 0,
            "cal_time": 0}


def validate(data):
    """Problems of a settings table as messages; [] when it can be stored."""
    if not isinstance(data, dict):
        return ["settings: expected a table of keys, got %r" % (data,)]
    errors = []
    for k in sorted(data):
        if k not in KEYS:
            errors.append("settings.%s: unknown key (known: %s)" % (k, ", ".join(sorted(KEYS))))
            continue
        v = data[k]
        lo, hi = KEYS[k]
        if not isinstance(v, int) or isinstance(v, bool):
            errors.append("settings.%s: expected a whole number in %d..%d, got %r" % (k, lo, hi, v))
        elif v < lo or v > hi:
            errors.append("settings.%s: %d is outside %d..%d" % (k, v, lo, hi))
    return errors


def parse(raw):
    """(settings with defaults filled in, problems) from a file's bytes (None: no file)."""
    out = dict(DEFAULTS)
    if raw is None:
        return out, []
    try:
        data = json.loads(raw)
    except ValueError:
        return out, ["settings: %s is not JSON; nominal values in use" % NAME]
    errors = validate(data)
    if errors:
        return out, errors
    out.update(data)
    return out, []


def load(hal):
    return parse(hal.read_file(NAME))


def store(hal, data):
    """Validate the keys given and replace the settings file atomically with them over the
    stored ones; return the problems ([] = stored)."""
    errors = validate(data)
    if errors:
        return errors
    merged = load(hal)[0]
    merged.update(data)
    text = "{%s}" % ", ".join(['"%s": %d' % (k, merged[k]) for k in sorted(merged)
                               if merged[k] is not None])
    hal.write_file_atomic(NAME, text.encode())
    return []
