"""Continuous and perfusion modes: where the shot machine departs from a point shot.

continuous: the needle goes in and the plunger flows at the zone's flow while the trigger
is held, for duration_s (one pass per point; on a line held on its pressure, until what the
line holds says the pass is given: firmware/line.py's plan_pass); letting go ends the pass,
then hold, relief and retract as for a point shot.
perfusion: the needle goes in and stays in; a bolus of dose_ul every bolus_every_s, one per
point of the zone, until the zone's points are given or the trigger is pulled again to
stop; then relief and retract. The needle-in checks (contact, stall, pressure) run all the
while: the machine waits between boluses in HOLD.

Flow is handed the inputs, the session and the plunger it decides from; the shot machine
asks released() while dosing and after_hold() when a hold ends, and does what they say.
Point and burst zones get False and OUT, and run as before.
"""

from firmware.compat import const
from firmware.hal import IN_TRIGGER
from firmware.wire.modes import MODE_CONTINUOUS, MODE_PERFUSION

# What after_hold() asks of the machine.
OUT = const(0)  # relief and retract: the needle comes out
BOLUS = const(1)  # start the bolus that is due now
NEXT = const(2)  # log this bolus, plan the next and wait for it, needle in


class Flow:
    def __init__(self, inputs, session, plunger):
        self.inputs = inputs
        self.session = session
        self.plunger = plunger
        self.bolus_due = -1  # perfusion: shot count at which the next bolus is due

    def released(self, zone):
        """Continuous: the operator let go of the trigger mid-pass; the plunger is stopped
        there. The machine then counts the pass as given."""
        if zone is None or zone.mode != MODE_CONTINUOUS or self.inputs.level(IN_TRIGGER):
            return False
        self.plunger.stop()
        return True

    def after_hold(self, zone, stopping):
        """Perfusion, at the end of a hold: BOLUS, NEXT or OUT (see above). stopping: the
        machine has a stop to make at the next safe point."""
        if zone is None or zone.mode != MODE_PERFUSION:
            return OUT
        if self.bolus_due == self.session.shots:
            self.bolus_due = -1
            return BOLUS
        stop = self.inputs.take_press()  # a second pull stops the perfusion
        if stop or self.session.shot_i + 1 >= zone.points or stopping:
            return OUT
        return NEXT

    def wait_next(self):
        """The next bolus is due while no other shot was counted."""
        self.bolus_due = self.session.shots
