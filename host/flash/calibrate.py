"""Gravimetric calibration: weigh what N shots really delivered, correct the plunger scale.

Two runs of different shot volumes (V1, V2) into a container on a scale give, per shot,
delivered = gain * commanded - loss: the slope is the plunger's true µL per nominal µL (bore
and lead-screw error together), the intercept the volume per shot the dose model does not
account for. The new correction divides the stored one by the gain; a third run at V1 with
it checks the result. The flow takes three callables, so the same steps run against a gun on
a port (a person weighs) and against the simulated plant.

Backlash: the gun doses to a running total and takes the backlash it believes in up after
every relief, so backlash the model gets wrong shows as a loss per shot. The estimate is
the backlash in use plus that loss as plunger travel. Because the running total returns the
stopper to the same place whatever the backlash, the weighed runs see little of it: the
estimate mostly confirms the figure in use, and a figure measured with a dial gauge (given
as measured_backlash_um) is stored as it is.
"""

from firmware import calibration
from host.flash.errors import FlashError

# Plausible window for one weighed run: a scale typo (g for mg) is caught, not stored.
GAIN_MIN = 0.85
GAIN_MAX = 1.15


class Run:
    """One weighed run: shots of dose_ul, the scale's reading and the fluid's density."""

    def __init__(self, dose_ul, shots, mass_mg, density_g_ml):
        if mass_mg <= 0 or density_g_ml <= 0:
            raise FlashError("mass and density must be positive (got %r mg, %r g/mL)"
                            % (mass_mg, density_g_ml))
        self.dose_ul = dose_ul
        self.shots = shots
        self.mass_mg = mass_mg
        self.density_g_ml = density_g_ml

    def per_shot_ul(self):
        # 1 g/mL = 1 mg/µL.
        return self.mass_mg / self.density_g_ml / self.shots


def protocol(shots, dose_ul, syringe_ml, needle_gauge=30, needle_mm=4):
    """One calibration run, water through the needle fitted: a priming shot into the waste,
    then the weighed shots into the container.

    The priming shot is not weighed because the first shot of a protocol is not like the
    others: the dose model starts from a seated syringe, while a gun that ran before sits
    backed off by its last relief. After one shot every run starts from the same state, so
    the weighed runs differ only by their shot volume."""
    zone = {"mode": "point", "depth_mm": 1.0, "dose_ul": dose_ul, "pace_ms": 1500}
    return {"protocol": {"name": "calibration", "syringe_ml": syringe_ml,
                         "needle_mm": needle_mm, "needle_gauge": needle_gauge,
                         "viscosity_mpas": 1},
            "zone": [dict(zone, name="prime", points=1),
                     dict(zone, name="container", points=shots)]}


def fit(run1, run2):
    """(gain, loss_ul_per_shot) from two runs of different shot volumes."""
    if run1.dose_ul == run2.dose_ul:
        raise FlashError("the two runs need different shot volumes to separate gain and loss")
    d1, d2 = run1.per_shot_ul(), run2.per_shot_ul()
    gain = (d2 - d1) / (run2.dose_ul - run1.dose_ul)
    loss_ul = gain * run1.dose_ul - d1
    if not GAIN_MIN <= gain <= GAIN_MAX:
        raise FlashError("the runs give %.3f µL delivered per µL commanded, outside %.2f..%.2f: "
                        "check the masses (mg), the density (g/mL) and the syringe"
                        % (gain, GAIN_MIN, GAIN_MAX))
    return gain, loss_ul


def corrected_ppm(old_ppm, gain):
    """The stored correction that makes commanded = delivered (steps scale with cal_ppm)."""
    new = round(old_ppm / gain)
    lo, hi = calibration.KEYS["cal_ppm"]
    if not lo <= new <= hi:
        raise FlashError("a correction of %d ppm is outside %d..%d: the syringe or its bore "
                        "is not the one the board declares" % (new, lo, hi))
    return new


def backlash_um(loss_ul, bore_um, in_use_um=0):
    """The backlash in use plus the volume lost per shot as plunger travel (µm), within the
    range the settings accept."""
    area_mm2 = 3.141592653589793 * (bore_um / 1000.0) ** 2 / 4
    lo, hi = calibration.KEYS["backlash_um"]
    return min(hi, max(lo, round(in_use_um + loss_ul / area_mm2 * 1000)))


def guided(dispense, weigh, store, old_ppm, bore_um, dose_ul=10.0, dose2_ul=40.0, shots=10,
           say=print, backlash_in_use_um=0, measured_backlash_um=None):
    """Run the whole calibration; return a dict of what was found and stored.

    dispense(dose_ul, shots, cal_ppm) makes the shots; weigh(label) -> (mass_mg, density);
    store(settings dict) puts the settings on the gun (atomically, validated there)."""
    runs = []
    for i, dose in enumerate((dose_ul, dose2_ul)):
        say("run %d: a priming shot into the waste, then %d shots of %g µL into the container"
            % (i + 1, shots, dose))
        dispense(dose, shots, old_ppm)
        mass, density = weigh("run %d (%d x %g µL)" % (i + 1, shots, dose))
        runs.append(Run(dose, shots, mass, density))
    gain, loss_ul = fit(runs[0], runs[1])
    new_ppm = corrected_ppm(old_ppm, gain)
    lost_um = backlash_um(loss_ul, bore_um, backlash_in_use_um)
    say("the plunger delivers %.4f µL per µL commanded; %.3f µL per shot unaccounted for"
        % (gain, loss_ul))
    if measured_backlash_um is not None:
        lost_um = measured_backlash_um
        say("backlash: %d µm as measured (the runs suggest %d µm)"
            % (lost_um, backlash_um(loss_ul, bore_um, backlash_in_use_um)))
    else:
        say("backlash: %d µm (%d µm in use)" % (lost_um, backlash_in_use_um))
    settings = {"cal_ppm": new_ppm, "backlash_um": lost_um, "cal_shots": 2 * shots,
                "cal_dose_nl": round(dose_ul * 1000)}
    store(settings)
    say("stored cal_ppm %d (was %d)" % (new_ppm, old_ppm))
    say("check: a priming shot into the waste, then %d shots of %g µL with the new correction"
        % (shots, dose_ul))
    dispense(dose_ul, shots, new_ppm)
    mass, density = weigh("check run (%d x %g µL)" % (shots, dose_ul))
    check = Run(dose_ul, shots, mass, density)
    error_pct = (check.per_shot_ul() - dose_ul) / dose_ul * 100
    say("check run: %.4f µL per shot for %g commanded (%+.3f %%)"
        % (check.per_shot_ul(), dose_ul, error_pct))
    return {"gain": gain, "loss_ul": loss_ul, "cal_ppm": new_ppm, "old_ppm": old_ppm,
            "backlash_um": lost_um, "check_error_pct": error_pct, "settings": settings}
