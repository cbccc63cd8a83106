"""The simulated plant as a calibration bench: shots into a container on a balance.

Balance sits under a served gun's needle (`meso sim serve`): it reads what left the needle
since it was last tared (injected and dripped) to its resolution, as the engineer reads a
real one. PlantBench runs the same steps in process: every dispense builds the world from
the same seed, so the syringe's true bore and the lead screw's true pitch stay the same from
run to run, as on a real bench. true_gain() is the truth a calibration is checked against.
"""

from firmware import board as boards
from sim.run import Run

DENSITY_G_ML = 1.0
RESOLUTION_MG = 0.1


def true_gain(world, syringe_ml):
    """The plant's true µL per nominal µL of a syringe size: its bore and its lead screw's
    pitch as drawn, against the board's nominal bore."""
    b = boards.by_name("sim")
    nominal_mm2 = 3.141592653589793 * (b.syringe(syringe_ml).bore_um / 1000.0) ** 2 / 4
    t = world.true
    return t["area_mm2"] * t["lead_scale"] / nominal_mm2


def reading_mg(volume_ul, density_g_ml=DENSITY_G_ML, resolution_mg=RESOLUTION_MG):
    """What the balance shows for a volume (1 g/mL = 1 mg/µL), to its resolution."""
    return round(volume_ul * density_g_ml / resolution_mg) * resolution_mg


class Balance:
    """The balance under a served gun's needle."""

    def __init__(self, world, density_g_ml=DENSITY_G_ML):
        self.world = world
        self.density_g_ml = density_g_ml
        self.zero_ul = 0.0

    def _out_ul(self):
        self.world.sync()
        return self.world.plunger.out_ul

    def read_mg(self):
        return reading_mg(self._out_ul() - self.zero_ul, self.density_g_ml)

    def tare(self):
        """An empty container: the reading starts again from zero."""
        self.zero_ul = self._out_ul()


def engineer(balance, readings):
    """input() for `meso calibrate`'s prompts at a served gun, as the engineer answers them:
    the container tared at the priming prompt, the balance read (and noted in readings) at
    each weighing one."""

    def answer(prompt):
        if prompt.startswith("priming shot done"):
            balance.tare()
            return ""
        if not prompt.startswith("weighed mass of"):
            raise ValueError("no answer for the prompt %r" % prompt)
        readings.append(balance.read_mg())
        return "%.1f" % readings[-1]

    return answer


class PlantBench:
    """protocol(shots, dose_ul, syringe_ml) is the calibration run's protocol (the one
    `meso calibrate` streams)."""

    def __init__(self, seed, protocol, syringe_ml=1):
        self.seed = seed
        self.protocol = protocol
        self.syringe_ml = syringe_ml
        self.world = None
        self.delivered_ul = 0.0

    def dispense(self, dose_ul, shots, cal_ppm):
        """Run the shots through the real firmware core with that stored correction."""
        run = Run(self.protocol(shots, dose_ul, self.syringe_ml), seed=self.seed,
                  params={"calibration_sd_pct": -1, "tissue_id_kpa": 0.0,
                          "tissue_sc_kpa": 0.0})  # into a container: no skin pressing back
        run.fw.app.machine.configure(cal_ppm=cal_ppm)
        run.run()
        self.world = w = run.world
        w.sync()
        # The container takes everything after the priming shot (the protocol's first).
        self.delivered_ul = w.plunger.out_ul - w.insertions[1]["out_in"]

    def weigh(self, label=""):
        """(mass in mg to the balance's resolution, density in g/mL)."""
        return reading_mg(self.delivered_ul), DENSITY_G_ML

    def true_gain(self):
        return true_gain(self.world, self.syringe_ml)
