"""Every board HAL class overrides every method of firmware.hal.HAL (read from source: the
HALs import hardware modules CPython does not have)."""

import ast
import glob
import os

import pytest

from firmware import hal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIRED = sorted(n for n, v in vars(hal.HAL).items() if callable(v) and not n.startswith("_"))


def hal_classes():
    found = []
    for path in sorted(glob.glob(os.path.join(ROOT, "firmware", "hal_*.py"))):
        with open(path, encoding="utf-8") as f:
            tree = ast.parse(f.read())
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(
                    ast.unparse(b) in ("hal.HAL", "HAL") for b in node.bases):
                methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
                found.append((os.path.basename(path), node.name, methods))
    return found


CLASSES = hal_classes()


def test_the_board_hals_are_found():
    names = {c for _, c, _ in CLASSES}
    assert {"HALRp2", "HALEsp32s3", "HALPyboard"} <= names


@pytest.mark.parametrize("fname,cls,methods", CLASSES, ids=[c for _, c, _ in CLASSES])
def test_hal_overrides_every_method(fname, cls, methods):
    missing = [m for m in REQUIRED if m not in methods]
    assert not missing, "%s: %s lacks %s" % (fname, cls, ", ".join(missing))
