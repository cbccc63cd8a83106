"""The session: the loaded protocol's zones in integer units, counters, and the limits that
are checked again before every shot, whatever the host already checked.

load() takes the core-form protocol, runs firmware/limits.py over it and converts it only
if nothing is wrong, so a bad protocol is refused whole and a loaded one is never half
replaced.
"""

from firmware import limits, units
from firmware.wire.modes import (  # noqa: F401 - modes and check outcomes, by name
    MODE_BURST,
    MODE_CONTINUOUS,
    MODE_PERFUSION,
    MODE_POINT,
    RUNNABLE,
)
from firmware.wire.states import CHECK_OK, CHECK_SESSION, CHECK_SHOT, CHECK_SYRINGE, CHECK_ZONE


class Zone:
    def __init__(self, d, board, syringe, head=None):
        self.name = d["name"]
        self.mode = limits.MODES.index(d["mode"])
        self.points = d["points"]
        self.depth_um = units.milli(d["depth_mm"])
        self.dose_nl = units.milli(d["dose_ul"])
        self.hold_ms = d.get("hold_ms", board.hold_ms)
        self.flow_nl_s = limits.zone_flow_nl_s(board, syringe, d, head)
        if self.mode == MODE_BURST:
            self.pace_ms = 60000 // d["rate_per_min"]
        else:
            self.pace_ms = d.get("pace_ms", 0)
        if self.mode == MODE_CONTINUOUS:
            # One pass per point: the flow for at most duration_s (firmware/flow.py).
            self.dose_nl = self.flow_nl_s * units.milli(d["duration_s"]) // 1000
        self.bolus_every_ms = units.milli(d.get("bolus_every_s", 0))


class Session:
    def __init__(self, board):
        self.board = board
        self.loaded = False
        self.name = ""
        self.syringe = None
        self.needle_cap_um = 0
        self.fluid = None
        self.zones = []
        # The gun doses on its line pressure (compensated, the shot machine's configure()
        # says): a shot's time is that hold's, which the pace and burst checks count.
        self.held = True
        self.reset_counters()

    def reset_counters(self):
        self.zone_i = 0  # zone being injected
        self.shot_i = 0  # shots done in that zone
        self.shots = 0  # shots done in the session
        self.total_nl = 0  # commanded volume of the session
        self.zone_nl = 0  # commanded volume of the current zone
        self.syringe_nl = 0  # commanded volume from the syringe now fitted

    def load(self, proto):
        """Check and take a protocol; return the problems (empty when loaded)."""
        problems = limits.check_protocol(self.board, proto, self.held)  # runnable modes too
        if problems:
            return problems
        head = proto["protocol"]
        syringe = self.board.syringe(head["syringe_ml"])
        self.syringe = syringe
        self.needle_cap_um = self.board.depth_cap_um(head["needle_mm"])
        self.name = head["name"]
        # The fluid path, for the dose model: gauge, needle length µm, viscosity in 1/1000 mPa·s.
        self.fluid = (head["needle_gauge"], units.milli(head["needle_mm"]),
                      units.milli(head["viscosity_mpas"]))
        self.zones = [Zone(z, self.board, syringe, head) for z in proto["zone"]]
        self.loaded = True
        self.reset_counters()
        return problems

    def zone(self):
        """The zone being injected, or None when the session is complete."""
        if not self.loaded or self.zone_i >= len(self.zones):
            return None
        return self.zones[self.zone_i]

    def select_zone(self, i):
        """Go to zone i (operator or host choice); its count starts over."""
        if not self.loaded or i < 0 or i >= len(self.zones):
            return False
        self.zone_i = i
        self.shot_i = 0
        self.zone_nl = 0
        return True

    def check_shot(self, zone):
        """CHECK_OK if the next shot of zone is inside every hard limit, else which one."""
        b = self.board
        if zone.dose_nl > b.dose_max_nl or zone.depth_um > self.needle_cap_um:
            return CHECK_SHOT
        if self.zone_nl + zone.dose_nl > b.zone_max_nl:
            return CHECK_ZONE
        if self.total_nl + zone.dose_nl > b.session_max_nl:
            return CHECK_SESSION
        if self.syringe_nl + zone.dose_nl > self.syringe.volume_nl:
            return CHECK_SYRINGE
        return CHECK_OK

    def shot_done(self, zone):
        """Count a completed shot; move to the next zone when this one is finished."""
        self.shots += 1
        self.shot_i += 1
        self.total_nl += zone.dose_nl
        self.zone_nl += zone.dose_nl
        self.syringe_nl += zone.dose_nl
        if self.shot_i >= zone.points:
            self.zone_i += 1
            self.shot_i = 0
            self.zone_nl = 0
            return True
        return False

    def refilled(self):
        """A full syringe was fitted."""
        self.syringe_nl = 0
