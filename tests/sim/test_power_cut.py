"""A power cut that comes back: the gun powers up with its flash as the cut left it, the
practitioner continues, and every point of the protocol is given exactly once."""

import collections
import os

import pytest
from test_run import DATA, short

from host import cli
from sim.run import Run

POINTS = sum(z["points"] for z in short()["zone"])


def after(k):
    """Where the session goes on after a cut during shot k (1-based): the next point."""
    zones = short()["zone"]
    z, i = sorted(expected())[k] if k < POINTS else (len(zones), 0)
    if z == len(zones):
        return "zone %d point 1" % (z + 1)
    return "zone %d point %d of %d" % (z + 1, i + 1, zones[z]["points"])


def given(rep):
    return collections.Counter((s["zone"], s["index"]) for s in rep["shots"])


def expected():
    return collections.Counter((i, j) for i, z in enumerate(short()["zone"])
                               for j in range(z["points"]))


@pytest.mark.parametrize("store", [True, False], ids=["stored", "streamed"])
def test_a_cut_at_every_shot_gives_every_point_exactly_once(store):
    for k in range(1, POINTS + 1) if store else (1, POINTS // 2, POINTS):
        rep = Run(short(), seed=k, fault_specs=["power_loss#%d:2" % k], store=store).run()
        assert rep["summary"]["ended_by"] == "session complete", (k, rep["summary"])
        assert given(rep) == expected(), k
        boots = [s["boot"] for s in rep["shots"]]
        assert boots == sorted(boots) and len(set(boots)) == (2 if k < POINTS else 1), (k, boots)
        assert len({(s["boot"], s["shot_no"]) for s in rep["shots"]}) == POINTS  # all unique
        assert [s["fault"] for s in rep["shots"]].count("power") == 1
        assert rep["power_cut"]["journal_records_at_end"] == POINTS
        assert rep["power_cut"]["continued_at"] == [after(k)]


def test_a_finished_stored_protocol_is_not_run_again_and_the_cli_exits_0(capsys):
    code = cli.main(["sim", "run", os.path.join(DATA, "short.toml"), "--store",
                     "--fault", "power_loss#3:2"])
    out = capsys.readouterr().out
    assert code == 0 and "ended             session complete" in out
    assert "shots             %d (%d without fault)" % (POINTS, POINTS - 1) in out
    run = Run(short(), seed=2, store=True)
    rep = run.run()
    assert len(rep["shots"]) == POINTS
    # Powered up again after the end: the stored protocol does not run a second time.
    from sim.power import start

    fw = run._new_fw()
    assert start(fw, run.world.hal, run.board, run.proto, True) is False
    assert not fw.app.interrupted and fw.app.status()["session"] == "done"
