"""Board definitions: the one place where boards/*.py data is checked and turned into numbers.

A board file holds a dict BOARD of plain data. Every key is known here with its type, unit
(in its name) and range; an unknown key is an error naming it (with a close known key), so a
misspelt or unit-less key never silently falls back to a default. load() turns the checked
data into integers (µm, nL, steps, ticks) that the core computes with exactly.
"""

import sys

from firmware import units

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


def is_number(v):
    return (isinstance(v, int) or isinstance(v, float)) and not isinstance(v, bool)


def validate(data):
    """Return the list of error messages for a board's data (empty when usable).

    The checker (firmware/boardcheck.py) is imported for the call; on MicroPython it is
    dropped again after it, so a gun, which checks its board once at boot, keeps none of its
    code and tables on the heap."""
    from firmware import boardcheck

    try:
        return boardcheck.validate(data)
    finally:
        if sys.implementation.name == "micropython":
            sys.modules.pop("firmware.boardcheck", None)
            import firmware

            if "boardcheck" in firmware.__dict__:
                delattr(firmware, "boardcheck")


class Axis:
    """One axis's mechanics in integers: steps per mm as num/den, speeds in steps/s."""

    def __init__(self, d):
        # steps per mm = num / den exactly, whatever the lead.
        self.num = d["steps_per_rev"] * d["microsteps"] * 1000
        self.den = units.milli(d["lead_mm"])  # lead in µm
        # Steps per µm, the same fraction in lowest terms: a depth in µm times it stays a
        # small int on a 31-bit port (1000 µm times the pico's 3 200 000 would not, and the
        # shot path converts each zone's depth).
        g = units.gcd(self.num, self.den * 1000)
        self.um_num = self.num // g
        self.um_den = self.den * 1000 // g
        self.max_speed_sps = self.um_to_steps(units.milli(d["max_speed_mm_s"]))
        self.accel_sps2 = self.um_to_steps(units.milli(d["accel_mm_s2"]))
        self.home_speed_sps = self.um_to_steps(units.milli(d["home_speed_mm_s"]))
        self.travel_um = units.milli(d["travel_mm"])
        self.travel_steps = self.um_to_steps(self.travel_um)
        self.backlash_steps = self.um_to_steps(units.whole(d["backlash_um"]))

    def um_to_steps(self, um):
        """Micrometres of travel to (micro)steps, rounded to the nearest step."""
        return units.div_round(um * self.um_num, self.um_den)

    def steps_to_um(self, steps):
        return units.div_round(steps * self.um_den, self.um_num)


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
        self.tick_mask = self.tick_period - 1  # what the code wraps with (firmware/ticks.py)
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
