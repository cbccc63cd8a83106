"""`meso run` keeps what the practitioner said: screening answers even when they stop the
session, and the warnings accepted with --accept-warnings."""

import json
import os
import subprocess
import sys

from host.cli import build_parser

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_a_positive_screening_answer_stops_and_is_logged(tmp_path):
    log = tmp_path / "s.json"
    proc = subprocess.run(
        [sys.executable, "-m", "host.cli", "run", os.path.join(ROOT, "examples", "face.toml"),
         "--port", "/dev/ttyNOPE", "--log", str(log)],
        input="n\nyes\n", capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 1
    assert "breastfeeding" in proc.stderr and "Traceback" not in proc.stderr
    doc = json.loads(log.read_text())
    assert doc["summary"]["outcome"] == "not started" and doc["shots"] == []
    assert doc["screening"]["answers"] == {"pregnancy": False, "breastfeeding": True}


def test_accept_warnings_is_the_documented_flag():
    args = build_parser().parse_args(["run", "p.toml", "--port", "x", "--accept-warnings"])
    assert args.yes
    args = build_parser().parse_args(["upload", "p.toml", "--port", "x", "--accept-warnings"])
    assert args.yes
