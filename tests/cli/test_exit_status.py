"""Each host layer's error reaches the user through the real `meso` process as one line
`meso: ...` with the exit status README.md's "Exit status" table gives its type.

Each case first raises the layer's error in-process from the same input (so the case is
about that layer), then runs `python -m host.cli` and checks the line and the status.
"""

import os
import re
import subprocess
import sys

import pytest

from host import cli, protocol
from host.errors import MesoError
from host.flash import deploy
from host.flash.errors import FlashError
from host.link.errors import LinkLayerError, TransportError
from host.link.session import Session
from host.report import log as report_log
from host.report.errors import ReportError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NOPE = "/dev/ttyNOPE"


def documented():
    """{error type name: exit status} from README.md's table."""
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    section = text.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    table = {}
    for row in section.splitlines():
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].isdigit():
            names = re.findall(r"`([A-Z]\w+)`", cells[2])
            for name in names[:1]:  # the layer's type; the ones in brackets are its parts
                table[name] = int(cells[0])
    return table


def meso(*argv):
    env = {k: v for k, v in os.environ.items() if k not in ("MESO_PORT", "MESO_DEBUG")}
    return subprocess.run([sys.executable, "-m", "host.cli", *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60,
                          stdin=subprocess.DEVNULL)


def no_board(tmp):
    protocol.board_named("nope")


def no_port(tmp):
    Session.open(NOPE)


def no_repl(tmp):
    deploy.verify(NOPE)


def no_log(tmp):
    report_log.load(os.path.join(tmp, "none.json"))


# (layer error type, how to raise it in-process, the command line, a needle of its line)
CASES = [
    (protocol.ProtocolError, no_board, ["validate", "examples/face.toml", "--board", "nope"],
     "board nope"),
    (LinkLayerError, no_port, ["status", "--port", NOPE], "no such port: " + NOPE),
    (FlashError, no_repl, ["verify", "--port", NOPE], "no such port: " + NOPE),
    (ReportError, no_log, ["report", "{tmp}/none.json"], "{tmp}/none.json"),
]


def test_the_table_documents_every_layer():
    table = documented()
    for t in ("ProtocolError", "LinkLayerError", "FlashError", "ReportError", "MesoError"):
        assert t in table, "README.md's exit-status table does not list %s" % t
    assert table["MesoError"] == MesoError.exit_code == cli.EXIT_ERROR


@pytest.mark.parametrize("error, raise_it, argv, needle", CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_a_layer_error_is_one_line_with_its_status(tmp_path, error, raise_it, argv, needle):
    with pytest.raises(error) as got:
        raise_it(str(tmp_path))
    assert got.value.exit_code == documented()[error.__name__]
    done = meso(*[a.format(tmp=tmp_path) for a in argv])
    err = done.stderr.splitlines()
    assert done.returncode == documented()[error.__name__], done.stderr
    assert len(err) == 1 and err[0].startswith("meso: "), done.stderr
    assert needle.format(tmp=tmp_path) in err[0], done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_a_transport_error_is_a_link_layer_error():
    with pytest.raises(TransportError):
        no_port("")


def test_a_message_with_line_breaks_is_shown_as_one_line():
    e = FlashError("mpy-cross refused x.py:\n  File x.py, line 3\nSyntaxError: invalid\n")
    assert e.lines() == ["mpy-cross refused x.py:; File x.py, line 3; SyntaxError: invalid"]


def test_a_command_error_with_line_breaks_reaches_the_user_as_one_line():
    code = ("import sys, host.commands.presets as p\nfrom host.report.errors import ReportError\n"
            "def run(args):\n    raise ReportError('first\\nsecond')\n"
            "p.run = run\nfrom host import cli\nsys.exit(cli.main(['presets']))\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.stderr == "meso: first; second\n"
    assert done.returncode == documented()["ReportError"]
