"""A gun put together around its App: the stored settings, the clinical lock and the link.

A flashed gun's boot (firmware/boot.py) and the simulator's served device (sim/link_world.py)
both build theirs here, so what a laptop meets on a port (open or clinical mode, signed
commands, a calibration that takes effect from the next protocol) is the same code.
"""

import json

from firmware import auth, calibration
from firmware.guard import GuardedLink
from firmware.wire.files import KEY_FILE  # noqa: F401 - the gun's modules name it from here


class Gun:
    """app's machine takes the stored settings; link answers the host.

    random(n) gives n random bytes, now_ms() the clock the lockout runs on. problems lists
    what was wrong with the key or settings files (the gun then runs on nominal values)."""

    def __init__(self, hal, app, board, device_id, random, now_ms):
        self.hal = hal
        self.app = app
        self.board = board
        self.problems = []
        key = hal.read_file(KEY_FILE)
        if key is not None and len(key) != auth.KEY_BYTES:
            key = None
            self.problems.append("%s: not a %d-byte key" % (KEY_FILE, auth.KEY_BYTES))
        self.mode = "clinical" if key else "open"
        self.settings, problems = calibration.load(hal)
        self.problems += problems
        guard = auth.Guard(key, random, now_ms, hal)
        self.link = GuardedLink(hal, app, board, device_id, guard, self.on_settings)
        self.identity = json.loads(self.link.info)
        self.identity["mode"] = self.mode
        self.apply()

    def apply(self):
        """The settings into the dose model (of the next protocol) and into the identity."""
        m = self.app.machine
        pl = self.board.plunger
        backlash_um = self.settings["backlash_um"]
        if backlash_um is None:
            m.configure(cal_ppm=self.settings["cal_ppm"], backlash_steps=None)
            backlash_um = pl.steps_to_um(pl.backlash_steps)
        else:
            m.configure(cal_ppm=self.settings["cal_ppm"], backlash_steps=pl.um_to_steps(backlash_um))
        self.describe(cal_ppm=m.cal_ppm, backlash_um=backlash_um)

    def describe(self, **fields):
        """Add fields to the identity (`meso info`)."""
        self.identity.update(fields)
        self.link.info = json.dumps(self.identity, separators=(",", ":")).encode()

    def on_settings(self, data):
        """SETTINGS from an authenticated host: stored whole or not at all; error text or ""."""
        try:
            errors = calibration.store(self.hal, json.loads(data))
        except ValueError:
            errors = ["settings: not JSON"]
        if errors:
            return "; ".join(errors)
        self.settings = calibration.load(self.hal)[0]
        # The dose model of a loaded protocol keeps its scale (its running total stays
        # true); the next protocol loaded is planned with the new one.
        self.apply()
        return ""
