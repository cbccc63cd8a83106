"""Plunger steps for each shot: the running total of volume, and the slack to take up first.

The stopper's target is computed from the cumulative commanded volume, so per-shot rounding
never accumulates. Between shots the plunger backs off (anti-drip relief) and, in
compensated mode, the lead screw's backlash opens on every reversal: the next dose first
takes that slack up. Naive mode models no backlash (the motor position is the stopper's),
for comparison on the same seed. Called before the trigger and after each move; the
shot path itself only reads the planned step count.
"""

from firmware.compat import const
from firmware.hal import FORWARD
from firmware.units import PPM, PlungerScale

NAIVE = const(0)
COMPENSATED = const(1)
MODE_NAMES = ("naive", "compensated")


class Dosing:
    def __init__(self, board, syringe, mode=COMPENSATED, cal_ppm=PPM, backlash_steps=None):
        self.mode = mode
        self.scale = PlungerScale(board.plunger, syringe.bore_um, cal_ppm)
        if backlash_steps is None:
            backlash_steps = board.plunger.backlash_steps
        self.backlash = backlash_steps if mode == COMPENSATED else 0
        self.relief_steps = board.plunger.um_to_steps(board.relief_um)
        self.reset()

    def reset(self):
        """A fresh syringe: stopper at zero, backlash closed in the forward direction."""
        self.stopper = 0  # modelled stopper position, steps
        self.slack = 0  # open backlash that a forward move takes up first, steps

    def dose_steps(self, total_nl_after):
        """Forward motor steps that bring the stopper to the running total's position."""
        steps = self.scale.steps(total_nl_after) - self.stopper + self.slack
        return steps if steps > 0 else 0

    def moved(self, direction, steps):
        """Account for steps the motor actually made in a direction."""
        if direction == FORWARD:
            take = steps if steps < self.slack else self.slack
            self.slack -= take
            self.stopper += steps - take
        else:
            opening = self.backlash - self.slack
            take = steps if steps < opening else opening
            self.slack += take
            self.stopper -= steps - take

    def delivered_nl(self):
        """Volume swept by the modelled stopper since the syringe was fitted."""
        return self.scale.nl(self.stopper)
