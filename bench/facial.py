"""The facial example as the simulator benchmarks run it: at a flow the needle can pass.

examples/face.toml sets its dose flow (8 µL/s) under the dose model's safe flow, and runs
as written. A protocol left at the board's default 100 µL/s would need about 2 MPa through
a 32 G needle with a 20 mPa·s fluid, five times the occlusion limit: feasible() lowers any
such zone's flow to the safe one and stretches its pace to match, so the benchmarks always
measure dosing, not occlusion faults.
"""

import copy
import os

from firmware import board as boards
from firmware import dosing, limits, units
from host import protocol

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FACE = os.path.join(ROOT, "examples", "face.toml")
PACE_MARGIN_MS = 200


def feasible(proto, board):
    """A copy of a core-form protocol with flows the line can pass and paces to match."""
    out = copy.deepcopy(proto)
    head = out["protocol"]
    syringe = board.syringe(head["syringe_ml"])
    line = dosing.Line(syringe, head["needle_gauge"], units.milli(head["needle_mm"]),
                       units.milli(head["viscosity_mpas"]))
    safe_nl_s = dosing.safe_flow_nl_s(board, line)
    for z in out["zone"]:
        flow_nl_s = units.milli(z.get("flow_ul_s", board.flow_nl_s / 1000))
        if flow_nl_s <= safe_nl_s:
            continue
        flow_nl_s = safe_nl_s // 100 * 100
        z["flow_ul_s"] = flow_nl_s / 1000
        if z["mode"] == "point":
            shot_ms = limits.shot_time_ms(board, syringe, head, units.milli(z["depth_mm"]),
                                          units.milli(z["dose_ul"]), flow_nl_s)
            z["pace_ms"] = max(z["pace_ms"], shot_ms + PACE_MARGIN_MS)
    return out


def face(board_name="sim"):
    board = boards.by_name(board_name)
    proto = protocol.load(FACE).core()
    return feasible(proto, board)
