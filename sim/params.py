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
    # plunger and fluid (nominal; true values drawn per run)
    "bore_tol_pct": (1.0, "syringe bore tolerance, ± (uniform)"),
    "backlash_um": (12.0, "lead-screw nut backlash, mean"),
    "backlash_sd_um": (3.0, "backlash spread between units"),
    "lead_error_pct": (0.3, "lead-screw pitch error, sd"),
    "viscosity_tol_pct": (30.0, "fluid viscosity around the protocol's figure, ± (uniform)"),
    "stopper_brand": ("", "stopper brand (empty: drawn from the table)"),
    "tissue_kpa": (15.0, "tissue back-pressure at the needle tip, mean"),
    "tissue_sd_kpa": (5.0, "tissue back-pressure spread between points"),
    "stiction_kpa": (4.0, "stopper sliding friction as a pressure"),
    "needle_hub_mm": (2.0, "cannula length inside the hub, adds to the flow path"),
    "stall_kpa": (900.0, "line pressure at which the plunger motor stalls"),
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

# Stopper + barrel compliance in µL per bar for each syringe size, by brand: the brand's
# mean and the spread between syringes of that brand (fraction).
BRANDS = {
    "stiff": {1: 0.15, 3: 0.35, 5: 0.6, 10: 0.9},
    "standard": {1: 0.2, 3: 0.5, 5: 0.9, 10: 1.3},
    "soft": {1: 0.3, 3: 0.75, 5: 1.3, 10: 1.9},
}
BRAND_ORDER = ("stiff", "standard", "soft")
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
    """True plant parameters for one run (the firmware sees only the nominal ones)."""
    g = streams("plant")
    syringe = board.syringe(head["syringe_ml"])
    bore_mm = syringe.bore_um / 1000.0 * (1 + g.uniform(-1, 1) * p["bore_tol_pct"] / 100)
    brand = p["stopper_brand"] or BRAND_ORDER[int(g.integers(0, len(BRAND_ORDER)))]
    ml = min(BRANDS[brand], key=lambda v: abs(v - head["syringe_ml"]))
    c_ul_bar = BRANDS[brand][ml] * (1 + g.normal(0, BRAND_SPREAD))
    visc = head["viscosity_mpas"] * (1 + g.uniform(-1, 1) * p["viscosity_tol_pct"] / 100)
    backlash = max(0.0, g.normal(p["backlash_um"], p["backlash_sd_um"]))
    lead_scale = 1 + g.normal(0, p["lead_error_pct"] / 100)
    length = head["needle_mm"] + p["needle_hub_mm"]
    return {
        "syringe_ml": head["syringe_ml"],
        "bore_mm": float(bore_mm),
        "area_mm2": float(np.pi * bore_mm**2 / 4),
        "brand": brand,
        "compliance_ul_kpa": float(max(c_ul_bar, 0.01) / 100.0),
        "viscosity_mpas": float(visc),
        "resistance_kpa_s_ul": float(
            needle_resistance_kpa_s_ul(head["needle_gauge"], length, visc)),
        "backlash_um": float(backlash),
        "lead_scale": float(lead_scale),
        "carriage_lead_scale": float(1 + g.normal(0, p["lead_error_pct"] / 100)),
        "stiction_kpa": p["stiction_kpa"],
        "stall_kpa": p["stall_kpa"],
        "fill_ul": p["fill_ul"] or syringe.volume_nl / 1000.0,
    }
