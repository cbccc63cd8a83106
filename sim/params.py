"""Run parameters of the simulated world: known names only, seeded streams, tolerance draws.

Every random quantity draws from its own numpy stream. A stream is spawned from the run's
SeedSequence with a spawn key derived from its name (CRC-32), so adding a stream never
shifts the numbers another one gives. The plant's true parameters are drawn once per run
from tolerance distributions around the nominal values the firmware knows.
"""

import zlib

import numpy as np

# name: (default, meaning). Anything else passed in is refused.
DEFAULTS = {
    # MCU and main loop
    "clock_wrap_after_s": (20.0, "the µs tick counter wraps this long after the start"),
    "loop_latency_us": (60.0, "mean extra delay before the main loop serves a deadline"),
    "gc_every_s": (0.8, "mean interval between garbage-collection pauses"),
    "gc_pause_ms": (3.0, "mean length of a garbage-collection pause"),
    "fifo_segments": (16, "step segments the executor holds ahead of the one running"),
    "refill_by": ("irq", "what refills the segment queue: irq (DMA-done, as the rp2 port) or timer"),
    "refill_irq_us": (50, "from a segment's end to its place refilled by the interrupt"),
    "refill_us": (1000, "period of the soft timer that tops the segment queue up (timer)"),
    "compute_scale": (1.0, "the firmware's compute time on the MCU, times this (0: free)"),
    # plunger and fluid (published centres; true values drawn per run; docs/SIMULATION.md)
    "bore_tol_pct": (1.0, "syringe bore tolerance, ± (uniform)"),
    "backlash_um": (12.0, "lead-screw nut backlash, mean"),
    "backlash_sd_um": (3.0, "backlash spread between units"),
    "lead_error_pct": (0.3, "lead-screw pitch error, sd"),
    "viscosity_tol_pct": (30.0, "fluid viscosity around the protocol's figure, ± (uniform)"),
    "viscosity_scale": (1.0, "true viscosity over the protocol's figure (mismatch sweeps)"),
    "fluid_n": (1.0, "power-law flow index of the fluid (1: Newtonian; HA about 0.45)"),
    "fluid_ref_shear_s": (1000.0, "shear rate at which the protocol's viscosity holds (n < 1)"),
    "stopper_brand": ("", "stopper brand (empty: drawn from the table)"),
    "compliance_scale": (1.0, "true compliance over the brand's figure (mismatch sweeps)"),
    "drive_n_um": (2.0, "drive-train stiffness (screw, nut, coupling, bearing), N/µm"),
    "air_ul": (0.0, "air in each fill at atmospheric pressure, µL (fixed part)"),
    "air_ul_max": (0.0, "extra air per fill, drawn uniform 0..this, µL"),
    "tissue_id_kpa": (20.0, "intradermal back-pressure at the tip, median (log-normal)"),
    "tissue_sc_kpa": (5.0, "subcutaneous back-pressure at the tip, median (log-normal)"),
    "tissue_sigma": (0.5, "log-normal spread of the back-pressure between points"),
    "tissue_sc_mm": (2.0, "depth from which a shot is subcutaneous"),
    "leak_kpa": (150.0, "pressure above the tissue's at which fluid leaks back along the needle"),
    "leak_kpa_s_ul": (50.0, "resistance of that leak path"),
    "glide_sd_pct": (25.0, "stopper glide force spread between syringes, sd"),
    "needle_id_tol_pct": (4.0, "needle inner diameter around the gauge's nominal, ± (uniform)"),
    "needle_hub_mm": (3.0, "cannula length inside the hub, adds to the flow path, mean"),
    "needle_hub_tol_mm": (1.0, "hub length spread, ± (uniform)"),
    "stall_kpa": (900.0, "line pressure at which the plunger motor stalls"),
    "pressure_sensor": (1, "1: the line-pressure sensor answers; 0: a board without one"),
    "fill_ul": (0.0, "fluid in the syringe at the start (0: its nominal volume)"),
    "calibration_sd_pct": (0.15, "error of the stored gravimetric calibration (<0: none)"),
    # depth carriage and skin
    "skin_compression_mm": (0.08, "skin pressed in under the nose cone, mean"),
    "skin_compression_sd_mm": (0.03, "spread of the skin compression between points"),
    # operator
    "move_s": (0.45, "median time to move the gun to the next point"),
    "move_sigma": (0.25, "log-normal spread of the move time"),
    "zone_move_s": (4.0, "extra time to move to the next zone"),
    "reaction_s": (0.22, "median reaction to the pacing cue"),
    "reaction_sigma": (0.2, "log-normal spread of the reaction"),
    "trigger_hold_s": (0.12, "how long the trigger stays pressed"),
    "lift_s": (0.15, "median time to lift the gun after the needle is out"),
    "syringe_change_s": (20.0, "time to take a syringe out and fit a primed new one"),
}

# Stopper + barrel compliance, µL per bar, by brand and syringe size. Snijder et al. (Biomed
# Tech 2015;60:407-17) review syringe compliance in pump set-ups: 9.0e-9 to 2.1e-8 L/Pa for
# the 50 mL syringes those set-ups use. Weiss et al. (Can J Anaesth 2000;47:1031-5) found it
# follows the plunger's size; here it is scaled from 50 mL (26.6 mm bore) by the bore cubed
# (a stopper of similar shape: face area times thickness), low end "stiff", high end "soft",
# their geometric mean "standard". An estimate for 1-10 mL: no direct figure was found.
BRAND_FIGURES_L_PA = {"stiff": 9.0e-9, "standard": 1.375e-8, "soft": 2.1e-8}
BORE_50ML_MM = 26.6
BORES_MM = {1: 4.78, 3: 8.66, 5: 12.06, 10: 14.5}


def _brand(l_pa):
    # L/Pa -> µL/bar is x1e11; scaled by (bore / 26.6 mm)^3
    return {ml: round(l_pa * 1e11 * (d / BORE_50ML_MM) ** 3, 1) for ml, d in BORES_MM.items()}


BRANDS = {name: _brand(v) for name, v in BRAND_FIGURES_L_PA.items()}
BRAND_ORDER = ("stiff", "standard", "soft")
# Stopper glide force, N, by syringe size: a few newtons for plastic syringes of these sizes
# (ISO 7886-1 Annex E measures it; Rathore et al., PDA J Pharm Sci Technol 2011;65:468-80,
# on its spread). The per-size centres are estimates; the spread is glide_sd_pct.
GLIDE_N = {1: 2.0, 3: 3.0, 5: 4.0, 10: 5.0}
BRAND_SPREAD = 0.1
# Nominal inner diameter (mm) of thin-wall needles by gauge (ISO 9626 thin-wall figures).
NEEDLE_ID_MM = {
    25: 0.311, 26: 0.292, 27: 0.241, 28: 0.216, 29: 0.184, 30: 0.165, 31: 0.140, 32: 0.125,
    33: 0.110, 34: 0.090,
}


class ParamError(ValueError):
    """An unknown parameter name or a value of the wrong kind."""


def check(overrides):
    """Defaults updated with overrides; unknown names are refused with the known list."""
    out = {k: v[0] for k, v in DEFAULTS.items()}
    for k in sorted(overrides or {}):
        if k not in DEFAULTS:
            raise ParamError(
                "unknown simulation parameter %r (known: %s)" % (k, ", ".join(sorted(DEFAULTS)))
            )
        want = type(DEFAULTS[k][0])
        v = overrides[k]
        if want is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if not isinstance(v, want) or isinstance(v, bool):
            raise ParamError("parameter %s: expected %s, got %r" % (k, want.__name__, v))
        out[k] = v
    if out["refill_by"] not in ("irq", "timer"):
        raise ParamError("parameter refill_by: %r is not one of irq, timer" % out["refill_by"])
    if out["stopper_brand"] and out["stopper_brand"] not in BRANDS:
        raise ParamError("parameter stopper_brand: %r is not one of %s"
                         % (out["stopper_brand"], ", ".join(BRAND_ORDER)))
    return out


class Streams:
    """Named numpy generators spawned from one seed."""

    def __init__(self, seed):
        self.seed = int(seed)
        self._gens = {}

    def __call__(self, name):
        g = self._gens.get(name)
        if g is None:
            ss = np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),))
            g = np.random.Generator(np.random.PCG64(ss))
            self._gens[name] = g
        return g


def poiseuille_kpa_s_ul(id_mm, length_mm, viscosity_mpas):
    """Hagen–Poiseuille resistance 8 µ L / (π r⁴) of a round bore, in kPa·s/µL."""
    r_m = id_mm / 2000.0
    pa_s_m3 = 8.0 * viscosity_mpas * 1e-3 * length_mm * 1e-3 / (np.pi * r_m**4)
    return pa_s_m3 * 1e-9 / 1e3  # per µL (1e-9 m³), in kPa


def needle_resistance_kpa_s_ul(gauge, length_mm, viscosity_mpas):
    return poiseuille_kpa_s_ul(NEEDLE_ID_MM[gauge], length_mm, viscosity_mpas)


def power_law_k(viscosity_mpas, n, ref_shear_s):
    """Consistency K (Pa·sⁿ) of a power-law fluid whose viscosity is viscosity_mpas at
    ref_shear_s: µ(γ) = K γ^(n-1)."""
    return viscosity_mpas * 1e-3 * ref_shear_s ** (1.0 - n)


def tube_flow_coeff(id_mm, length_mm, k_pa_sn, n):
    """kq with Q [µL/s] = kq · Δp[kPa]^(1/n) through a round tube, for a power-law fluid
    (Rabinowitsch–Mooney: Q = π n/(3n+1) r³ (r Δp / 2KL)^(1/n); n = 1 is Hagen–Poiseuille).
    The needle's resistance is thus taken at the wall shear rate of each flow."""
    r = id_mm / 2000.0
    length = length_mm / 1000.0
    return 1e9 * np.pi * n / (3 * n + 1) * r**3 * (r * 1000.0 / (2 * k_pa_sn * length)) ** (1.0 / n)


def wall_shear_s(id_mm, q_ul_s, n):
    """Wall shear rate of a power-law fluid at a flow: (3n+1)/4n · 4Q/(π r³)."""
    r = id_mm / 2000.0
    return (3 * n + 1) / (4 * n) * 4 * q_ul_s * 1e-9 / (np.pi * r**3)


def calibration_ppm(p, board, true, streams):
    """The firmware's stored calibration: a gravimetric check of this plunger and syringe
    lot, with its measurement error. 1 000 000 (nominal) when there is none."""
    if p["calibration_sd_pct"] < 0:
        return 1000000
    g = streams("calibration")
    bore_mm = board.syringe(true["syringe_ml"]).bore_um / 1000.0
    pl = board.plunger
    nominal = np.pi * bore_mm**2 / 4 * pl.den / pl.num  # µL per step
    actual = true["area_mm2"] * pl.den / pl.num * true["lead_scale"]
    measured = actual * (1 + g.normal(0, p["calibration_sd_pct"] / 100))
    return round(1e6 * nominal / measured)


def draw_plant(p, head, board, streams):
    """True plant parameters for one run, drawn around published centres (the firmware sees
    only its own nominal figures). Each group has its own stream, so adding one shifts none."""
    g = streams("plant")
    syringe = board.syringe(head["syringe_ml"])
    bore_mm = syringe.bore_um / 1000.0 * (1 + g.uniform(-1, 1) * p["bore_tol_pct"] / 100)
    brand = p["stopper_brand"] or BRAND_ORDER[int(g.integers(0, len(BRAND_ORDER)))]
    ml = min(BRANDS[brand], key=lambda v: abs(v - head["syringe_ml"]))
    c_ul_bar = BRANDS[brand][ml] * (1 + g.normal(0, BRAND_SPREAD)) * p["compliance_scale"]
    visc = head["viscosity_mpas"] * (1 + g.uniform(-1, 1) * p["viscosity_tol_pct"] / 100)
    visc *= p["viscosity_scale"]
    backlash = max(0.0, g.normal(p["backlash_um"], p["backlash_sd_um"]))
    lead_scale = 1 + g.normal(0, p["lead_error_pct"] / 100)
    carriage_lead = 1 + g.normal(0, p["lead_error_pct"] / 100)
    area = float(np.pi * bore_mm**2 / 4)
    glide_n = GLIDE_N[ml] * max(0.2, 1 + streams("plant.glide").normal(0, p["glide_sd_pct"] / 100))
    gn = streams("plant.needle")
    id_mm = NEEDLE_ID_MM[head["needle_gauge"]] * (1 + gn.uniform(-1, 1) * p["needle_id_tol_pct"] / 100)
    hub_mm = p["needle_hub_mm"] + gn.uniform(-1, 1) * p["needle_hub_tol_mm"]
    length = head["needle_mm"] + max(0.0, hub_mm)
    n = p["fluid_n"]
    k = power_law_k(visc, n, p["fluid_ref_shear_s"])
    kq = tube_flow_coeff(id_mm, length, k, n)
    # The drive train (screw, nut, coupling, motor bearing) as a spring in series: a force
    # P·A shortens it by P·A/k, which sweeps A²/k of volume per unit of pressure.
    c_drive = area**2 / (1e6 * p["drive_n_um"])  # µL/kPa
    c = max(c_ul_bar, 0.01) / 100.0 + c_drive
    ref_q = 10.0  # µL/s: the resistance reported is the one at this flow
    return {
        "syringe_ml": head["syringe_ml"],
        "bore_mm": float(bore_mm),
        "area_mm2": area,
        "brand": brand,
        "compliance_ul_kpa": float(c),
        "drive_compliance_ul_kpa": float(c_drive),
        "viscosity_mpas": float(visc),
        "fluid_n": float(n),
        "fluid_k_pa_sn": float(k),
        "needle_id_mm": float(id_mm),
        "needle_length_mm": float(length),
        "flow_coeff": float(kq),
        "resistance_kpa_s_ul": float((ref_q / kq) ** n / ref_q),
        "backlash_um": float(backlash),
        "lead_scale": float(lead_scale),
        "carriage_lead_scale": float(carriage_lead),
        "glide_n": float(glide_n),
        "stiction_kpa": float(glide_n / area * 1000.0),
        "leak_kpa": p["leak_kpa"],
        "leak_kpa_s_ul": p["leak_kpa_s_ul"],
        "stall_kpa": p["stall_kpa"],
        "fill_ul": p["fill_ul"] or syringe.volume_nl / 1000.0,
    }


def draw_air_ul(p, streams):
    """Air left in one syringe fill, µL at atmospheric pressure (its own stream)."""
    extra = p["air_ul_max"] * streams("air").uniform(0, 1) if p["air_ul_max"] > 0 else 0.0
    return p["air_ul"] + extra


def draw_tissue_kpa(p, depth_mm, g):
    """Back-pressure at the tip for one point: log-normal around the intradermal median
    (Gupta et al., Biomaterials 2011;32:6823-31: a few hundred mmHg to infuse into the skin)
    or, deeper, the subcutaneous one (an order of magnitude lower: Shahriar et al., Int J
    Pharm 2021;602:120530; Thomsen et al., PLoS ONE 2014;9:e104054)."""
    median = p["tissue_sc_kpa"] if depth_mm >= p["tissue_sc_mm"] else p["tissue_id_kpa"]
    return float(median * np.exp(g.normal(0.0, p["tissue_sigma"])))
