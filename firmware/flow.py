"""Continuous and perfusion modes: where the shot machine departs from a point shot.

continuous: the needle goes in and the plunger flows at the zone's flow while the trigger
is held, for at most duration_s (one pass per point); letting go ends the pass, then hold,
relief and retract as for a point shot.
perfusion: the needle goes in and stays in; a bolus of dose_ul every bolus_every_s, one per
point of the zone, until the zone's points are given or the trigger is pulled again to
stop; then relief and retract. The needle-in checks (contact, stall, pressure) run all the
while: the machine waits between boluses in HOLD.

The shot machine calls released() while dosing and next_bolus() when a hold ends; both
return False for point and burst zones, which then run as before.
"""

from firmware import ticks
from firmware.compat import const
from firmware.hal import FORWARD, IN_TRIGGER
from firmware.wire import faults
from firmware.wire.modes import MODE_CONTINUOUS, MODE_PERFUSION

DOSE = const(4)  # the shot machine's DOSE state (firmware/shot.py imports this module)


def released(m):
    """Continuous: the operator let go of the trigger mid-pass; stop the plunger there."""
    zone = m.zone
    if zone is None or zone.mode != MODE_CONTINUOUS or m.inputs.level(IN_TRIGGER):
        return False
    m.plunger.stop()
    # The pass counts as given; the next pass starts from where the stopper is.
    m.dose_steps_done = m.plunger.moved()
    m.account_plunger()
    m.dosing.rebase(m.session.syringe_nl + zone.dose_nl, -1)
    return True


def next_bolus(m, now):
    """Perfusion, at the end of a hold: start the bolus that is due, or log this one and
    wait for the next. False when the needle should come out."""
    zone = m.zone
    if zone is None or zone.mode != MODE_PERFUSION:
        return False
    period = m.period
    if m.bolus_due == m.session.shots:
        m.bolus_due = -1
        m.t_start = now
        m.t_start_ms = m.ms
        m.start_axis(m.plunger, FORWARD, m.dose_move, DOSE, now)
        return True
    stop = m.inputs.take_press()  # a second pull stops the perfusion
    if stop or m.session.shot_i + 1 >= zone.points or m.stop_code != faults.NONE:
        return False
    m.end_shot(faults.NONE, True)
    m.shot_index = m.session.shot_i
    m.prepare()  # plans the next bolus while the plunger rests (not on a motion)
    m.bolus_due = m.session.shots  # due while no other shot was counted
    m.until = ticks.add(m.t_start, zone.bolus_every_ms * 1000, period)
    return True
