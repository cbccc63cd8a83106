"""`meso sim run` exits 0 only when every planned point was given exactly once; otherwise
status 3 (README's "Exit status") with the reason on one line."""

import copy
import pathlib

import pytest

from host.cli import main
from sim.report import outcome

SHORT = str(pathlib.Path(__file__).parent / "data" / "short.toml")  # 12 points


@pytest.mark.parametrize("fault, why", [
    ("power_loss@10", "power lost"),
    ("syringe_empty#3", "syringe empty"),
])
def test_an_unfinished_session_exits_3_saying_why_on_one_line(fault, why, capsys):
    assert main(["sim", "run", SHORT, "--fault", fault]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("meso: sim run: session not finished: "), err
    assert why in err[0] and "of 12 planned points given" in err[0], err


def test_a_complete_session_exits_0(capsys, tmp_path):
    assert main(["sim", "run", SHORT, "--json", str(tmp_path / "r.json")]) == 0
    cap = capsys.readouterr()
    assert cap.err == "" and "12 of 12 given, 0 given twice" in cap.out


def test_a_point_given_twice_is_never_a_success():
    report = {"summary": {"ended_by": "session complete", "points_planned": 2,
                          "points_given": 2, "points_twice": 0}}
    assert outcome(report) == (True, "")
    twice = copy.deepcopy(report)
    twice["summary"]["points_twice"] = 1
    assert outcome(twice) == (False, "1 point given twice")
    short = copy.deepcopy(report)
    short["summary"]["points_given"] = 1
    assert outcome(short) == (False, "session complete: 1 of 2 planned points given")
