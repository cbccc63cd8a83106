"""The plunger's executor without per-segment events computes what one with them does."""

import json
import os

import pytest

from host import protocol
from sim.report import to_json
from sim.run import Run

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def _session(name, seed, per_segment, **kw):
    proto = protocol.load(os.path.join(ROOT, "examples", name + ".toml")).core()
    run = Run(proto, seed=seed, **kw)
    if per_segment:
        run.world.plunger_exec.lazy = False  # one timeout a segment, as the carriage has
    report = json.loads(to_json(run.run()))
    del report["summary"]["wall_seconds"]
    pl = run.world.plunger
    return report, run.world.hal.files, (pl.v, pl.out_ul, pl.swept_ul, pl.t, run.world.polls)


# burst seed 1 has polls landing on the very tick a plunger move ends (a tie between the
# poll and the move's end), where which of the two comes first decides the next state.
@pytest.mark.parametrize("name, seed, kw", [
    ("burst", 1, {}),
    ("hands", 3, {"fault_specs": ("occlusion#5",)}),
])
def test_caught_up_segments_give_the_same_session_as_their_events(name, seed, kw):
    lazy = _session(name, seed, False, **kw)
    events = _session(name, seed, True, **kw)
    assert lazy[2] == events[2]  # the plant's state to the last bit, and the poll count
    assert lazy[1] == events[1]  # the shot log
    assert lazy[0] == events[0]


def test_the_plunger_runs_without_per_segment_events():
    proto = protocol.load(os.path.join(ROOT, "examples", "burst.toml")).core()
    run = Run(proto, seed=1)
    assert run.world.plunger_exec.lazy and not run.world.carriage_exec.lazy
    assert not Run(proto, seed=1, exact=True).world.plunger_exec.lazy
    assert not Run(proto, seed=1, params={"refill_by": "timer"}).world.plunger_exec.lazy
