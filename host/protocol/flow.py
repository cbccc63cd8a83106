"""Line pressure a zone's flow needs through its needle, against the board's occlusion limit.

A viscous fluid pushed fast through a fine needle reaches the gun's occlusion limit on every
shot: the firmware then faults, shot after shot. The estimate uses the firmware's own line
model (firmware/dosing.py: Hagen–Poiseuille needle, stopper friction, tissue back-pressure),
so laptop, gun and simulator reason alike: above the board's limit is an error, above the
dose model's safe flow (its share of the limit; viscosity varies between batches) a warning.
"""

from firmware import dosing, limits
from firmware.board import is_number


class Estimate:
    def __init__(self, flow_nl_s, kpa, limit_kpa, safe_nl_s):
        self.flow_ul_s = flow_nl_s / 1000
        self.kpa = kpa  # line pressure while dosing, friction and tissue included
        self.limit_kpa = limit_kpa
        self.safe_ul_s = safe_nl_s / 1000

    @property
    def over_limit(self):
        return self.kpa > self.limit_kpa

    @property
    def over_safe(self):
        return self.flow_ul_s > self.safe_ul_s


def estimate(board, head, zone_core):
    """The zone's Estimate, or None when the figures it needs are not usable."""
    syringe = board.syringe(head.get("syringe_ml"))
    if syringe is None:
        return None
    flow = zone_core.get("flow_ul_s")
    if flow is not None and not (is_number(flow) and 0 < flow < 1e6):
        return None
    flow_nl_s = limits.zone_flow_nl_s(board, syringe, zone_core, head)  # as the gun
    est = limits.line_kpa(board, head, syringe, flow_nl_s)
    if est is None:
        return None
    line, kpa = est
    return Estimate(flow_nl_s, kpa, board.pressure_max_kpa, dosing.safe_flow_nl_s(board, line))
