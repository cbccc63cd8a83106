"""The firmware core under the real MicroPython interpreter gives the in-process shot log."""

import os
import tomllib

from sim.report import to_json
from sim.run import Run

DATA = os.path.join(os.path.dirname(__file__), "data")


def strip_wall(text):
    return "\n".join(x for x in text.splitlines() if "wall_seconds" not in x)


def test_micropython_child_gives_the_same_shot_log_and_report_as_in_process():
    with open(os.path.join(DATA, "short.toml"), "rb") as f:
        proto = tomllib.load(f)
    proto["zone"][0]["points"] = 4
    proto["zone"][1]["points"] = 2
    runs = []
    for fw in ("cpython", "micropython"):
        run = Run(proto, seed=11, firmware=fw, fault_specs=["contact_lost#3"])
        rep = run.run()
        runs.append((run, rep))
    (a, ra), (b, rb) = runs
    assert len(a.records) == 6 and [r for r in a.records] == [r for r in b.records]
    assert [f["code"] for f in ra["faults"]] == ["contact_lost"]
    assert strip_wall(to_json(ra)) == strip_wall(to_json(rb))
    # The journal the child wrote went through the world's flash, byte for byte.
    assert a.world.hal.files == b.world.hal.files
