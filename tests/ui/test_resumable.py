"""The page's list of interrupted sessions: which logs it offers, and with which file."""

import json
import os

from host import protocol
from host.cliutil import session_log
from host.ui import resumable

FACE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__)))), "examples", "face.toml")


def a_log(folder, name, outcome, core):
    doc = session_log.new(core, "sim-0001")
    session_log.add_part(doc, (0, 0), 0, core)
    session_log.refresh(doc, outcome, "link lost: gone" if outcome == "link lost" else "")
    session_log.save(str(folder / name), doc)


def test_only_sessions_that_stopped_before_their_end_are_offered(tmp_path):
    core = protocol.load(FACE).core()
    a_log(tmp_path, "a.session.json", "link lost", core)
    a_log(tmp_path, "b.session.json", "done", core)
    a_log(tmp_path, "c.session.json", "running", core)  # its program stopped mid-session
    (tmp_path / "d.session.json").write_text(json.dumps({"summary": {}, "shots": []}))
    (tmp_path / "e.session.json").write_text("not json")
    face = FACE
    rows = {r["name"]: r for r in resumable.interrupted(str(tmp_path), [face])}
    assert set(rows) == {"a.session.json", "c.session.json"}
    assert rows["a.session.json"]["outcome"] == "link lost"
    assert rows["c.session.json"]["outcome"] == "interrupted"  # its program stopped
    assert rows["a.session.json"]["match"] == face and rows["a.session.json"]["planned"] == 274
    # The live session's own log is not offered, nor a log whose protocol no file has.
    live = str(tmp_path / "a.session.json")
    assert [r["name"] for r in resumable.interrupted(str(tmp_path), [face], live)] == [
        "c.session.json"]
    assert all(r["match"] is None for r in resumable.interrupted(str(tmp_path), []))
