"""Soft limits: inside what the device allows but outside the usual clinical range.

Each is a warning `meso run` asks the practitioner to confirm (or --accept-warnings). The
figures are the clinical reference's: the zone's preset range (or the general one), a
session of 2-6 mL lasting 20-45 min with one to several hundred injections.
"""

from host import presets
from host.protocol import flow
from host.protocol.check import flow_figure, flow_path
from host.protocol.diagnostic import Diagnostic
from host.protocol.plan import Plan

SESSION_UL_USUAL = 6000
SESSION_MIN_USUAL = 45
SESSION_POINTS_USUAL = 800


def _fig(x):
    return "%g" % x


def _range(lo, hi, unit):
    return "%s-%s %s" % (_fig(lo), _fig(hi), unit)


def warnings(proto, board):
    """Soft-limit warnings of a protocol that has no hard errors, sorted by line."""
    out = []
    lines = proto.lines

    def warn(path, key, value, usual, why):
        out.append(Diagnostic(proto.path, lines.line_of(path), key, value, usual, why,
                              severity="warning"))

    plan = Plan(proto, board)
    for z, zp in zip(proto.zones, plan.zones):
        p = z.preset or presets.GENERAL
        label = "zone[%d]." % z.index
        whose = "for %s" % ("the %s technique" % p.name if z.preset else "mesotherapy")
        for key, (lo, hi), unit in (("depth_mm", p.depth_range_mm, "mm"),
                                    ("dose_ul", p.dose_range_ul, "µL")):
            v = z.core[key]
            if key == "dose_ul" and z.core["mode"] == "continuous":
                continue  # a continuous pass doses flow x duration, not per point
            if not lo <= v <= hi:
                src = key if z.source.get(key) == "zone" else "preset"
                warn(("zone", z.index, src), label + key, v, _range(lo, hi, unit),
                     "outside the usual range %s" % whose)
        if z.grid is not None:
            lo, hi = p.spacing_range_mm
            if not lo <= z.grid[2] <= hi:
                warn(("zone", z.index, "grid", "spacing_mm"), label + "grid.spacing_mm",
                     z.grid[2], _range(lo, hi, "mm"), "outside the usual spacing %s" % whose)
        est = flow.estimate(board, proto.head, z.core)
        if est is not None and est.over_safe:
            warn(flow_path(proto, z), label + "flow_ul_s", est.flow_ul_s,
                 "at most %s µL/s" % flow_figure(est.safe_ul_s),
                 "needs about %d kPa of the gun's %d kPa occlusion limit; the fluid's "
                 "viscosity varies, so shots may stop on occlusion" % (est.kpa, est.limit_kpa))
    if plan.volume_ul > SESSION_UL_USUAL:
        warn(("zone",), "session", plan.volume_ul, "2-6 mL",
             "more volume than a usual session (µL)")
    if plan.time_s > SESSION_MIN_USUAL * 60:
        warn(("zone",), "session", round(plan.time_s / 60, 1), "20-45 min",
             "longer than a usual session (minutes of injection)")
    if plan.points > SESSION_POINTS_USUAL:
        warn(("zone",), "session", plan.points, "up to several hundred injections",
             "more injections than a usual session")
    if plan.refills:
        warn(("protocol", "syringe_ml"), "protocol.syringe_ml", proto.head.get("syringe_ml"),
             None, "the session needs %d syringe fills: the gun asks for a refill %s"
             % (plan.fills, "; ".join(plan.refill_points())))
    return sorted(out, key=lambda d: d.line)
