"""The board HALs type-check with pyright against their port's micropython-*-stubs.

tests/pyright/<port>.json is the pyright project of one port (firmware/ports/<port>/) (`.venv/bin/pyright -p
tests/pyright/rp2.json` runs it by hand). Each port's stubs sit in .venv/stubs/<port>
(installed by `make venv`): one folder per port, because every port's stubs define machine.
"""

import glob
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from host.flash.build import port_needs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG_DIR = os.path.join(ROOT, "tests", "pyright")
PYRIGHT = os.path.join(os.path.dirname(sys.executable), "pyright")
HALS = sorted(f[:-5] for f in os.listdir(CONFIG_DIR) if f.endswith(".json"))


def load_config(hal):
    with open(os.path.join(CONFIG_DIR, hal + ".json"), encoding="utf-8") as f:
        return json.load(f)


def run_pyright(config_path):
    p = subprocess.run([PYRIGHT, "--outputjson", "-p", config_path], capture_output=True,
                       text=True, cwd=ROOT, timeout=300)
    try:
        return json.loads(p.stdout)
    except ValueError:
        pytest.fail("pyright gave no report (exit %d):\n%s\n%s" % (p.returncode, p.stdout,
                                                                     p.stderr))


def errors_of(report):
    return ["%s:%d: %s" % (os.path.relpath(d["file"], ROOT), d["range"]["start"]["line"] + 1,
                           d["message"])
            for d in report["generalDiagnostics"] if d["severity"] == "error"]


def stubs_of(config):
    path = os.path.normpath(os.path.join(CONFIG_DIR, config["stubPath"]))
    assert os.path.isfile(os.path.join(path, "machine.pyi")), (
        "no MicroPython stubs in %s: run `make venv`" % path)
    return path


def test_every_hardware_hal_has_a_pyright_project():
    # A port that imports its MCU's hardware modules; the sim port runs on unix, no stubs.
    hardware = re.compile(r"^(import|from) (machine|rp2|esp32|pyb)\b", re.M)
    hals = set()
    for path in glob.glob(os.path.join(ROOT, "firmware", "ports", "*", "*.py")):
        with open(path, encoding="utf-8") as f:
            if hardware.search(f.read()):
                hals.add(os.path.basename(os.path.dirname(path)))
    assert {"rp2", "esp32s3", "pyboard"} <= hals
    assert hals <= set(HALS), "HALs with no tests/pyright/<hal>.json: %s" % (hals - set(HALS))


@pytest.fixture(scope="module")
def reports():
    """pyright's report for every HAL, the runs side by side."""
    with ThreadPoolExecutor(len(HALS)) as pool:
        runs = {h: pool.submit(run_pyright, os.path.join(CONFIG_DIR, h + ".json")) for h in HALS}
        return {h: f.result() for h, f in runs.items()}


@pytest.mark.parametrize("hal", HALS)
def test_hal_type_checks(hal, reports):
    config = load_config(hal)
    stubs_of(config)
    included = {os.path.normpath(os.path.join(CONFIG_DIR, p)) for p in config["include"]}
    ports = os.path.join(ROOT, "firmware", "ports")
    wanted = set(glob.glob(os.path.join(ports, hal, "*.py")))
    # The shared modules a port declares (common: machine.Pin and friends) are checked with it.
    wanted |= {os.path.join(ports, n + ".py") for n in port_needs(hal)}
    assert wanted <= included, "not type-checked: %s" % sorted(wanted - included)
    report = reports[hal]
    assert report["summary"]["filesAnalyzed"] >= len(wanted)
    errors = errors_of(report)
    assert not errors, "pyright (%s stubs):\n%s" % (hal, "\n".join(errors))


def test_a_type_error_is_caught(tmp_path):
    # The same setup on a file with two mistakes only the port's stubs can see.
    config = load_config("rp2")
    bad = tmp_path / "bad_hal.py"
    bad.write_text("from machine import Pin, WDT\n"
                   "import rp2\n"
                   "Pin(2, Pin.OUT).value(1)\n"
                   "rp2.StateMachine(0).active(1)\n"
                   "Pin(2).toggle_twice()\n"
                   "WDT(timeout='2s')\n")
    config["include"] = [str(bad)]
    for key in ("stubPath", "typeshedPath"):
        config[key] = os.path.normpath(os.path.join(CONFIG_DIR, config[key]))
    config["extraPaths"] = [ROOT]
    path = tmp_path / "pyrightconfig.json"
    path.write_text(json.dumps(config))
    errors = errors_of(run_pyright(str(path)))
    assert len(errors) == 2, errors
    assert "toggle_twice" in errors[0] and ":5:" in errors[0]
    assert ":6:" in errors[1]
