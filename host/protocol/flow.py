"""Line pressure a zone's flow needs through its needle (Hagen–Poiseuille), against the board.

A viscous fluid pushed fast through a fine needle reaches the gun's occlusion limit on every
shot: the firmware then faults, shot after shot. The estimate here catches that on the
laptop. Viscosity varies between batches and with temperature (±30 %), so a flow that needs
more than SAFE_FRACTION of the limit is a warning, more than the limit an error.
"""

import math

from firmware import units

# Nominal inner diameter (mm) of thin-wall needles by gauge (ISO 9626 thin-wall figures).
NEEDLE_ID_MM = {
    25: 0.311, 26: 0.292, 27: 0.241, 28: 0.216, 29: 0.184, 30: 0.165, 31: 0.140, 32: 0.125,
    33: 0.110, 34: 0.090,
}
HUB_MM = 2.0  # cannula inside the hub: part of the flow path
SAFE_FRACTION = 0.6


def resistance_kpa_s_ul(gauge, needle_mm, viscosity_mpas):
    """8 µ L / (π r⁴) of the needle's bore, in kPa per µL/s."""
    r_m = NEEDLE_ID_MM[gauge] / 2000.0
    length_m = (needle_mm + HUB_MM) / 1000.0
    pa_s_m3 = 8.0 * viscosity_mpas * 1e-3 * length_m / (math.pi * r_m ** 4)
    return pa_s_m3 * 1e-12  # Pa·s/m³ -> kPa·s/µL


def zone_flow_ul_s(board, syringe, zone_core):
    """The plunger flow a zone doses at: its flow_ul_s, else the board's, within the syringe."""
    flow_nl_s = min(board.flow_nl_s, syringe.max_flow_nl_s)
    if "flow_ul_s" in zone_core:
        flow_nl_s = units.milli(zone_core["flow_ul_s"])
    return flow_nl_s / 1000


def check(board, head, zone_core):
    """(pressure_kpa, limit_kpa, safe_flow_ul_s), or None when the figures are not usable."""
    gauge, mm, visc = head.get("needle_gauge"), head.get("needle_mm"), head.get("viscosity_mpas")
    syringe = board.syringe(head.get("syringe_ml"))
    if syringe is None or gauge not in NEEDLE_ID_MM or board.depth_cap_um(mm) is None:
        return None
    if isinstance(visc, bool) or not isinstance(visc, (int, float)) or not visc > 0:
        return None
    r = resistance_kpa_s_ul(gauge, mm, visc)
    flow = zone_flow_ul_s(board, syringe, zone_core)
    limit = board.pressure_max_kpa
    return r * flow, limit, SAFE_FRACTION * limit / r
