"""The facial example as the simulator benchmarks run it: at a flow the needle can pass.

examples/face.toml leaves the dose flow to the board (100 µL/s). Through its 32 G needle a
20 mPa·s fluid needs about 2 MPa for that, five times the board's occlusion limit, so every
shot would end in an occlusion fault. The benchmarks therefore run it with each zone's
flow set to the dose model's safe flow (firmware/dosing.py) and its pace stretched to the
time a shot then takes; everything else is the file's.
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
    scale = units.PlungerScale(board.plunger, syringe.bore_um)
    for z in out["zone"]:
        flow_nl_s = units.milli(z.get("flow_ul_s", board.flow_nl_s / 1000))
        if flow_nl_s > safe_nl_s:
            flow_nl_s = safe_nl_s // 100 * 100
            z["flow_ul_s"] = flow_nl_s / 1000
        if z["mode"] == "point":
            shot_ms = limits.shot_time_ms(board, scale, units.milli(z["depth_mm"]),
                                          units.milli(z["dose_ul"]), flow_nl_s)
            z["pace_ms"] = max(z["pace_ms"], shot_ms + PACE_MARGIN_MS)
    return out


def face(board_name="sim"):
    board = boards.by_name(board_name)
    proto = protocol.load(FACE).core()
    return feasible(proto, board)
