"""The depth carriage and the skin: how deep the needle really is.

The carriage moves the syringe so the needle protrudes past the nose cone; it rests on a
hard stop a little behind the home switch. The operator presses the nose into the skin,
which gives way by a compression drawn per point, so the needle's depth in the skin is its
protrusion minus that compression. The needle is in the skin while that is positive: the
world then raises the tissue back-pressure at the tip, and the flow counts for the shot.
"""

HARD_STOP_UM = -300.0  # behind home: steps beyond it are lost (the motor stalls)
HOME_SWITCH_UM = 0.0  # the switch closes at or behind this position
SKIN_UM = 1.0  # the tip counts as in the skin past this depth


class Carriage:
    def __init__(self, um_per_step, lead_scale, on_needle):
        self.um_per_step = um_per_step * lead_scale
        self.on_needle = on_needle  # called (t_s, inside) when the needle enters or leaves
        self.steps = 0  # whole steps from home: no drift over a session
        self.compression_um = 0.0
        self.inside = False
        self.max_depth_um = 0.0  # deepest point of the current insertion
        self.stalled = False
        self.stop_steps = int(HARD_STOP_UM / self.um_per_step)  # the hard stop, in steps

    @property
    def pos_um(self):
        return self.steps * self.um_per_step

    def depth_um(self):
        return self.pos_um - self.compression_um

    def home(self):
        return self.steps * self.um_per_step <= HOME_SWITCH_UM  # pos_um, without the property

    def set_compression(self, t, um):
        self.compression_um = um
        self._check(t)

    def _check(self, t):
        d = self.depth_um()
        inside = d > SKIN_UM
        if inside and d > self.max_depth_um:
            self.max_depth_um = d
        if inside != self.inside:
            self.inside = inside
            if inside:
                self.max_depth_um = d
            self.on_needle(t, inside)

    def step(self, t, n, direction):
        self.steps += n * direction
        stop = self.stop_steps
        self.stalled = self.steps < stop
        if self.stalled:
            self.steps = stop
        self._check(t)

    def ramp(self, t0, t1, n, direction):
        # The needle crosses the skin at most once per ramp: place the crossing in time.
        # (depth_um() and step() written out: this runs once a segment.)
        ums = self.um_per_step
        before = (self.steps * ums - self.compression_um) - SKIN_UM
        travel = n * direction * ums
        after = before + travel
        if travel != 0.0 and (before > 0.0) != (after > 0.0):
            self.inside = after > 0.0
            if self.inside:
                self.max_depth_um = 0.0
            self.on_needle(t0 + (t1 - t0) * (-before / travel), self.inside)
        steps = self.steps + n * direction
        self.stalled = steps < self.stop_steps
        if self.stalled:
            steps = self.stop_steps
        self.steps = steps
        d = steps * ums - self.compression_um
        inside = d > SKIN_UM
        if inside and d > self.max_depth_um:
            self.max_depth_um = d
        if inside != self.inside:
            self._check(t1)
