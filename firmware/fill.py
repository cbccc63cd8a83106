"""Syringe fills: what the plunger's whole travel takes from a fill, the reserve kept, and
whether the next dose fits. One rule: the shot machine asks it before every shot (a dose
that would not fit asks for a refill before it starts, never a short shot) and the laptop's
plan runs the same account over a whole protocol with account() (the last point of each
fill, and the primings).

The account is the dose model's own stopper: every forward step it makes after the backlash
is taken up, priming and compensation included, less what relief and safing pull back. The
reserve is sized from what the gun knows, never from the plant:
- RESERVE_PCT of the nominal volume: the fill is read off the barrel's mark, and without a
  stored calibration the bore's tolerance (about ±1 %, so ±2 % in area) and the lead
  screw's pitch move the true volume per step; 3 % covers both with room;
- on the dose model's path (no pressure reference), what the stopper and barrel compliance
  hold at the occlusion limit, HELD_MARGIN times (the dose model's nominal figure; softer
  stoppers hold more);
- BACKLASH_MARGIN times the backlash in use: how far the stopper model can be off the rod
  after a reversal.
Held on the pressure instead, the gun primes the line to firmware/line.py's reference before
a fill's first shot (and after a perfusion point): the push that charges the line is forward
travel, counted at the nominal charge on the gun as in the plan (so both put the refills at
the same points; RESERVE_PCT covers a syringe twice as soft as its maker's figure); the
reference keeps it in the line to the fill's last shot.
"""

from firmware import dosing, units
from firmware.compat import const
from firmware.hal import BACKWARD, FORWARD
from firmware.limits import zone_flow_nl_s
from firmware.wire.modes import MODE_CONTINUOUS, MODE_PERFUSION, MODES

RESERVE_PCT = const(3)
HELD_MARGIN = const(2)
BACKLASH_MARGIN = const(2)


def primes(board, model):
    """Whether the gun primes this model's line (firmware/line.py): a board with the
    sensor, compensated dosing with a fluid (held at the reference, or settled and topped
    up when it is too fast to hold, firmware/settle.py)."""
    ref = model.ref
    return ref is not None and (ref.due or ref.ok) and board.pins.get("pressure_adc") is not None


def reserve_nl(board, syringe, model):
    """Volume of a fill never planned for, for this board, syringe and dose model."""
    r = syringe.volume_nl * RESERVE_PCT // 100
    if not primes(board, model):
        # On the dose model's path, what the compliance may hold at the occlusion limit
        # (held on the pressure, the line's charge is counted in the travel instead).
        r += HELD_MARGIN * dosing.compliance_nl_bar(syringe) * board.pressure_max_kpa // 100
    backlash = model.backlash if model.backlash > 0 else board.plunger.backlash_steps
    return r + model.scale.nl(BACKLASH_MARGIN * backlash)


def zone_dose_nl(board, syringe, zone):
    """Commanded volume of one point of a core-form zone (continuous: one whole pass)."""
    if zone["mode"] == "continuous":
        return zone_flow_nl_s(board, syringe, zone) * units.milli(zone["duration_s"]) // 1000
    return units.milli(zone["dose_ul"])


class Fill:
    """The stopper travel spent from the syringe now fitted, against what it may spend."""

    def __init__(self, board, syringe, model, used_steps=0):
        self.limit_steps = model.scale.steps(syringe.volume_nl - reserve_nl(board, syringe,
                                                                            model))
        self.used_steps = used_steps

    def moved(self, model, direction, steps):
        """The motor made steps in a direction: tell the model, count the stopper's travel."""
        before = model.stopper
        model.moved(direction, steps)
        self.used_steps += model.stopper - before

    def fits(self, model, steps):
        """Whether a forward move of steps (backlash taken up first) stays in the fill."""
        take = steps if steps < model.slack else model.slack
        return self.used_steps + steps - take <= self.limit_steps

    def charged(self, used_steps, charge_steps):
        """The priming push reached the reference from used_steps: count the line's charge
        at its nominal figure, whatever the syringe's true compliance made it take."""
        self.used_steps = used_steps + charge_steps

    def refilled(self):
        self.used_steps = 0


def prime(board, model, fill, syringe_nl):
    """The plan's priming, as the gun's PRIME state does it on a board with the sensor: push
    the nominal charge (the backlash and the last relief first), rebase, relieve. Whether it
    primed."""
    ref = model.ref
    if not ref.due or not primes(board, model):
        return False
    ref.due = False
    take = model.dose_end - model.stopper if model.dose_end > model.stopper else 0
    fill.moved(model, FORWARD, take + model.scale.steps(ref.charge_nl) + model.slack)
    ref.primed(ref.hold_kpa, 0, 0, syringe_nl)
    fill.moved(model, BACKWARD, model.relief_steps)
    return True


def account(board, proto, mode=dosing.COMPENSATED):
    """(fills, primings) of a checked core-form protocol on a gun with a nominal
    calibration, starting from a full syringe. fills: [(zone, point)] of the last point of
    each fill, None if a point would not fit even a full syringe. primings: how many times
    the gun primes the line on the way (each fill, and again after a perfusion insertion)."""
    head = proto["protocol"]
    syringe = board.syringe(head["syringe_ml"])
    fluid = (head["needle_gauge"], units.milli(head["needle_mm"]),
             units.milli(head["viscosity_mpas"]))
    model = dosing.Dosing(board, syringe, mode, fluid=fluid)
    fill = Fill(board, syringe, model)
    syringe_nl = 0
    last = None
    ends = []
    primed = 0
    perfusion = MODES[MODE_PERFUSION]
    continuous = MODES[MODE_CONTINUOUS]
    for zi, zone in enumerate(proto["zone"]):
        dose_nl = zone_dose_nl(board, syringe, zone)
        for i in range(zone["points"]):
            primed += prime(board, model, fill, syringe_nl)
            steps = model.dose_steps(syringe_nl + dose_nl)
            if not fill.fits(model, steps):
                if last is None:
                    return None, primed
                ends.append(last)
                model.reset()
                fill.refilled()
                syringe_nl = 0
                last = None
                primed += prime(board, model, fill, syringe_nl)
                steps = model.dose_steps(dose_nl)
                if not fill.fits(model, steps):
                    return None, primed
            fill.moved(model, FORWARD, steps)
            fill.moved(model, BACKWARD, model.relief_steps)
            syringe_nl += dose_nl
            last = (zi, i)
            if zone["mode"] == perfusion and model.ref is not None and model.ref.ok:
                # The needle comes out after the zone's last bolus, or before a bolus that
                # would not fit (the gun's rule, firmware/shot.py after_hold): its line is
                # left elsewhere, so the gun primes again before the next point.
                nxt = model.dose_steps(syringe_nl + dose_nl)
                if i == zone["points"] - 1 or not fill.fits(model, nxt):
                    model.ref.due = True
            if zone["mode"] == continuous and model.ref is not None and model.ref.ok:
                model.ref.due = True  # a pass leaves its line elsewhere too (line.plan_pass)
    ends.append(last)
    return ends, primed
