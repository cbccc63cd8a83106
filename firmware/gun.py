"""A gun put together around its App: the stored settings, the clinical lock and the link.

A flashed gun's boot (firmware/boot.py) and the simulator's served device (sim/link_world.py)
both build theirs here, so what a laptop meets on a port (open or clinical mode, signed
commands, a calibration that takes effect from the next protocol) is the same code.
"""

import json

from firmware import auth, calibration, manifest, pairing
from firmware.guard import GuardedLink
from firmware.wire.files import KEY_FILE, STAGED_FILE  # noqa: F401 - named from here


class Gun:
    """app's machine takes the stored settings; link answers the host.

    random(n) gives n random bytes, now_ms() a clock in ms (the recovery's hold). problems
    lists what was wrong with the key or settings files: a damaged key file locks the gun
    (firmware/pairing.py), damaged settings leave it on nominal values."""

    def __init__(self, hal, app, board, device_id, random, now_ms):
        self.hal = hal
        self.app = app
        self.board = board
        self.recovered = pairing.recovery_held(hal, now_ms)
        if self.recovered:
            pairing.recover(hal)
        self.mode, key, staged, self.problems = pairing.load(hal)
        self.settings, problems = calibration.load(hal)
        self.problems += problems
        guard = auth.Guard(key, random, staged, self.mode == pairing.LOCKED)
        self.folder = None  # the firmware folder booted (set by boot; none on the simulator)
        self.firmware_ok = True
        self.link = GuardedLink(hal, app, board, device_id, guard, self.on_settings,
                                self.on_paired, self.on_pairing)
        self.identity = json.loads(self.link.info)
        self.identity["mode"] = self.mode
        self.identity["key_id"] = pairing.key_id(key) if key else ""
        if self.recovered:
            self.identity["recovered"] = True
        self.apply()

    def on_pairing(self, key):
        """Before a key commits: the firmware this gun booted signed under it, so that the
        loader, which checks a paired gun's signature before importing, still boots it.
        Firmware that failed its own file check is not blessed: error text, or ""."""
        if self.folder is None:
            return ""
        if not self.firmware_ok:
            return "the firmware does not match its manifest: flash it again before pairing"
        try:
            manifest.sign_for(self.folder, key)
        except OSError:
            return "the firmware's signature could not be written"
        return ""

    def on_paired(self, mode):
        """A pairing was committed: the identity says so from the next HELLO."""
        self.mode = mode
        self.describe(mode=mode, key_id=pairing.key_id(self.link.guard.key))
        if self.folder is not None:
            manifest.settle_signature(self.folder)

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
