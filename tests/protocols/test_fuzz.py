"""Mutated example protocols through `meso validate`'s code path and the gun's load path:
never an internal error, always an answer. Deterministic (seeded), a few hundred files."""

import hashlib
import io
import json
import pathlib
import random

from firmware.app import App
from firmware.board import by_name
from firmware.link_store import Upload
from firmware.wire import messages as M
from host import protocol
from host.commands.validate import check_file
from sim.simhal import SimHAL

EXAMPLES = sorted((pathlib.Path(__file__).parents[2] / "examples").glob("*.toml"))
VALUES = ('["point"]', '{ a = 1 }', '"burst"', "-1", "0", "1e308", "nan", "inf", "-inf",
          "true", '""', "[]", "{}", "[[[[1]]]]", '"%s"' % ("x" * 200), "3000", "0.0001",
          "[" * 200 + "]" * 200, '{ rows = "a", cols = [] }', "2026-01-01")
RUNS = 400


def mutate(text, rng):
    lines = text.splitlines()
    kv = [i for i, ln in enumerate(lines) if "=" in ln and not ln.lstrip().startswith("#")]
    i = rng.choice(kv)
    key = lines[i].split("=", 1)[0]
    what = rng.randrange(5)
    if what == 0:
        del lines[i]
    elif what == 1:
        lines[i] = key.rstrip() + "_x =" + lines[i].split("=", 1)[1]
    elif what == 2:
        lines.insert(rng.randrange(len(lines) + 1), "[[zone]]")
    else:
        lines[i] = "%s= %s" % (key, rng.choice(VALUES))
    return "\n".join(lines) + "\n"


class NoLink(SimHAL):
    """The gun's storage and clock without a simulated world: the load path only."""

    def __init__(self, board):
        self.tick_mask = board.tick_mask
        self.files = {}

    def ticks(self):
        return 0


def gun_answer(app, core):
    data = json.dumps(core, default=str).encode()  # a TOML date goes as its text
    up = Upload(M.TARGET_RUN, len(data), hashlib.sha256(data).digest())
    assert up.chunk(0, data)
    return up.finish(app, app.hal)


def test_mutated_examples_never_crash_validate_or_the_gun(tmp_path):
    rng = random.Random(20261201)
    board = by_name("sim")
    app = App(NoLink(board), board)
    seen = {"invalid": 0, "valid": 0, "gun refused": 0, "gun loaded": 0}
    for n in range(RUNS):
        src = EXAMPLES[n % len(EXAMPLES)]
        text = mutate(src.read_text(), rng)
        path = tmp_path / ("m%d.toml" % n)
        path.write_text(text)
        out = io.StringIO()
        try:
            n_err, _ = check_file(str(path), protocol.DEFAULT_BOARD, out)
        except protocol.ProtocolError as e:  # one line for the user, as meso prints it
            assert str(e), text
            n_err = 1
        seen["invalid" if n_err else "valid"] += 1
        assert (n_err > 0) == bool(out.getvalue()) or not n_err, out.getvalue()
        try:
            core = protocol.load(str(path)).core()
        except protocol.ProtocolError:
            continue
        code, why, _ = gun_answer(app, core)
        assert code in (M.E_OK, M.E_LIMITS, M.E_FORMAT), (code, why, text)
        assert "cannot be checked" not in why, (why, text)
        if code == M.E_OK:
            seen["gun loaded"] += 1
        else:
            assert why, text
            seen["gun refused"] += 1
    assert all(seen.values()), seen


def test_a_mode_as_a_list_or_a_table_is_a_message_not_an_internal_error(tmp_path, capsys):
    from host.cli import main

    text = (EXAMPLES[0].parent / "face.toml").read_text()
    for i, bad in enumerate(('["point"]', '{ kind = "point" }')):
        path = tmp_path / ("mode%d.toml" % i)
        path.write_text(text.replace('mode = "point"', "mode = %s" % bad, 1))
        assert main(["validate", str(path)]) == 1
        out = capsys.readouterr()
        assert "internal error" not in out.err, out.err
        assert "zone[4].mode: expected a mode name" in out.out, out.out
        assert "(allowed: point, burst, continuous, perfusion)" in out.out, out.out
