"""No step count or tick depends on float width: the RP2040 computes in float32.

Every float in the board and the protocol is rounded to float32 (what an MCU port would
parse), and the planner, the dose model and a whole session must give the same integers.
"""

import copy
import sys
from array import array

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0] + "/core")

from rig import Rig, burst_zone, point_zone, protocol

from boards.sim import BOARD
from firmware import board as boards
from firmware import motion, shotlog, units
from firmware.dosing import Dosing


def to_f32(data):
    if isinstance(data, float):
        return float(np.float32(data))
    if isinstance(data, dict):
        return {k: to_f32(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_f32(v) for v in data]
    return data


def odd_protocol():
    # Figures with no exact binary form: 0.1, 13.3, 8.66 ...
    return protocol(
        [
            point_zone("a", points=6, depth_mm=0.7, dose_ul=13.3, pace_ms=700),
            point_zone("b", points=5, depth_mm=3.3, dose_ul=47.1, pace_ms=1100),
            burst_zone("c", points=6, depth_mm=1.1, dose_ul=7.7, rate_per_min=95),
        ]
    )


def test_float32_inputs_change_no_integer():
    b64 = boards.load(copy.deepcopy(BOARD))
    b32 = boards.load(to_f32(copy.deepcopy(BOARD)))
    for attr in ("num", "den", "max_speed_sps", "accel_sps2", "travel_steps", "backlash_steps"):
        assert getattr(b64.plunger, attr) == getattr(b32.plunger, attr), attr
        assert getattr(b64.carriage, attr) == getattr(b32.carriage, attr), attr
    assert [s.bore_um for s in b64.syringes] == [s.bore_um for s in b32.syringes]
    assert b64.step_tol_ticks == b32.step_tol_ticks
    for zone in odd_protocol()["zone"]:
        z32 = to_f32(zone)
        assert units.milli(zone["dose_ul"]) == units.milli(z32["dose_ul"])
        assert units.milli(zone["depth_mm"]) == units.milli(z32["depth_mm"])


def test_planner_gives_the_same_segments_from_float32_figures():
    out = []
    for convert in (lambda x: x, to_f32):
        b = boards.load(convert(copy.deepcopy(BOARD)))
        d = Dosing(b, b.syringe(3))
        segs = array("l", [0] * 1536)
        plans = []
        for i, dose in enumerate((13.3, 47.1, 7.7, 0.9, 199.9)):
            steps = d.dose_steps(units.milli(convert(dose)) * (i + 1))
            nseg, ticks = motion.plan(segs, 512, steps, b.plunger.max_speed_sps,
                                      b.plunger.accel_sps2, b.step_clock_hz, b.step_tol_ticks)
            plans.append((steps, ticks, list(segs[: 3 * nseg])))
        out.append(plans)
    assert out[0] == out[1]


def test_whole_session_log_is_identical_with_float32_figures():
    logs = []
    for convert in (lambda x: x, to_f32):
        board = boards.load(convert(copy.deepcopy(BOARD)))
        rig = Rig(convert(odd_protocol()), board=board)
        rig.arm()
        for _ in range(11):
            rig.pull()
            rig.run_until("armed")
        rig.touch(True)
        rig.trigger(True)
        rig.run_until("done")
        rig.run_for(50000)
        logs.append(bytes(rig.hal.files["shots.log"]))
    assert len(shotlog.read_journal(logs[0])) == 17
    assert logs[0] == logs[1]
