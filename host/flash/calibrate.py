"""Gravimetric calibration: weigh what N shots really delivered, correct the plunger scale.

Two runs of different shot volumes (V1, V2) into a container on a scale give, per shot,
delivered = gain * commanded - loss: the slope is the plunger's true µL per nominal µL (bore
and lead-screw error together), the intercept the volume lost per shot that no scale factor
fixes (untaken backlash at each reversal). The new correction divides the stored one by the
gain; a third run at V1 with it checks the result. The flow takes three callables, so the
same steps run against a gun on a port (a person weighs) and against the simulated plant.
"""

from firmware import calibration
from firmware.units import PPM
from host.errors import MesoError

# Plausible window for one weighed run: a scale typo (g for mg) is caught, not stored.
GAIN_MIN = 0.85
GAIN_MAX = 1.15


class Run:
    """One weighed run: shots of dose_ul, the scale's reading and the fluid's density."""

    def __init__(self, dose_ul, shots, mass_mg, density_g_ml):
        if mass_mg <= 0 or density_g_ml <= 0:
            raise MesoError("mass and density must be positive (got %r mg, %r g/mL)"
                            % (mass_mg, density_g_ml))
        self.dose_ul = dose_ul
        self.shots = shots
        self.mass_mg = mass_mg
        self.density_g_ml = density_g_ml

    def per_shot_ul(self):
        # 1 g/mL = 1 mg/µL.
        return self.mass_mg / self.density_g_ml / self.shots


def fit(run1, run2):
    """(gain, loss_ul_per_shot) from two runs of different shot volumes."""
    if run1.dose_ul == run2.dose_ul:
        raise MesoError("the two runs need different shot volumes to separate gain and loss")
    d1, d2 = run1.per_shot_ul(), run2.per_shot_ul()
    gain = (d2 - d1) / (run2.dose_ul - run1.dose_ul)
    loss_ul = gain * run1.dose_ul - d1
    if not GAIN_MIN <= gain <= GAIN_MAX:
        raise MesoError("the runs give %.3f µL delivered per µL commanded, outside %.2f..%.2f: "
                        "check the masses (mg), the density (g/mL) and the syringe"
                        % (gain, GAIN_MIN, GAIN_MAX))
    return gain, loss_ul


def corrected_ppm(old_ppm, gain):
    """The stored correction that makes commanded = delivered (steps scale with cal_ppm)."""
    new = int(round(old_ppm / gain))
    lo, hi = calibration.KEYS["cal_ppm"]
    if not lo <= new <= hi:
        raise MesoError("a correction of %d ppm is outside %d..%d: the syringe or its bore "
                        "is not the one the board declares" % (new, lo, hi))
    return new


def backlash_um(loss_ul, bore_um):
    """Volume lost per shot as plunger travel (µm), never negative."""
    area_mm2 = 3.141592653589793 * (bore_um / 1000.0) ** 2 / 4
    return max(0, int(round(loss_ul / area_mm2 * 1000)))


def guided(dispense, weigh, store, old_ppm, bore_um, dose_ul=10.0, dose2_ul=40.0, shots=10,
           say=print):
    """Run the whole calibration; return a dict of what was found and stored.

    dispense(dose_ul, shots, cal_ppm) makes the shots; weigh(label) -> (mass_mg, density);
    store(settings dict) puts the settings on the gun (atomically, validated there)."""
    runs = []
    for i, dose in enumerate((dose_ul, dose2_ul)):
        say("run %d: %d shots of %g µL into the container" % (i + 1, shots, dose))
        dispense(dose, shots, old_ppm)
        mass, density = weigh("run %d (%d x %g µL)" % (i + 1, shots, dose))
        runs.append(Run(dose, shots, mass, density))
    gain, loss_ul = fit(runs[0], runs[1])
    new_ppm = corrected_ppm(old_ppm, gain)
    lost_um = backlash_um(loss_ul, bore_um)
    say("the plunger delivers %.4f µL per µL commanded; %.3f µL lost per shot (%d µm)"
        % (gain, loss_ul, lost_um))
    settings = {"cal_ppm": new_ppm, "backlash_um": lost_um, "cal_shots": 2 * shots,
                "cal_dose_nl": int(round(dose_ul * 1000))}
    store(settings)
    say("stored cal_ppm %d (was %d)" % (new_ppm, old_ppm))
    say("check: %d shots of %g µL with the new correction" % (shots, dose_ul))
    dispense(dose_ul, shots, new_ppm)
    mass, density = weigh("check run (%d x %g µL)" % (shots, dose_ul))
    check = Run(dose_ul, shots, mass, density)
    error_pct = (check.per_shot_ul() - dose_ul) / dose_ul * 100
    say("check run: %.4f µL per shot for %g commanded (%+.3f %%)"
        % (check.per_shot_ul(), dose_ul, error_pct))
    return {"gain": gain, "loss_ul": loss_ul, "cal_ppm": new_ppm, "old_ppm": old_ppm,
            "backlash_um": lost_um, "check_error_pct": error_pct, "settings": settings}
