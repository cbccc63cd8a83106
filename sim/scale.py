"""The simulated plant as a calibration bench: shots into a container on a balance.

Every dispense builds the world from the same seed, so the syringe's true bore and the lead
screw's true pitch stay the same from run to run, as on a real bench; the balance reads what
left the syringe (injected and dripped) to its resolution.
"""

from firmware import board as boards
from sim.run import Run

DENSITY_G_ML = 1.0
RESOLUTION_MG = 0.1


def protocol(shots, dose_ul, syringe_ml=1):
    return {"protocol": {"name": "calibration", "syringe_ml": syringe_ml, "needle_mm": 4,
                         "needle_gauge": 30, "viscosity_mpas": 1},
            "zone": [{"name": "container", "mode": "point", "points": shots, "depth_mm": 1.0,
                      "dose_ul": dose_ul, "pace_ms": 1500}]}


class PlantBench:
    def __init__(self, seed, syringe_ml=1):
        self.seed = seed
        self.syringe_ml = syringe_ml
        self.world = None
        self.delivered_ul = 0.0

    def dispense(self, dose_ul, shots, cal_ppm):
        """Run the shots through the real firmware core with that stored correction."""
        run = Run(protocol(shots, dose_ul, self.syringe_ml), seed=self.seed,
                  params={"calibration_sd_pct": -1})
        run.fw.app.machine.cal_ppm = cal_ppm
        run.run()
        self.world = run.world
        self.delivered_ul = sum(i["delivered_ul"] for i in self.world.insertions) + (
            self.world.drip_ul)

    def weigh(self, label=""):
        """(mass in mg to the balance's resolution, density in g/mL)."""
        mass_mg = round(self.delivered_ul * DENSITY_G_ML / RESOLUTION_MG) * RESOLUTION_MG
        return mass_mg, DENSITY_G_ML

    def true_gain(self):
        """The plant's true µL per nominal µL: bore and lead-screw pitch as drawn."""
        b = boards.by_name("sim")
        nominal_mm2 = 3.141592653589793 * (b.syringe(self.syringe_ml).bore_um / 1000.0) ** 2 / 4
        t = self.world.true
        return t["area_mm2"] * t["lead_scale"] / nominal_mm2
