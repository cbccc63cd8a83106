"""Every board HAL class overrides every method of firmware.hal.HAL (read from source: the
HALs import hardware modules CPython does not have)."""

import ast
import glob
import os

import pytest

from firmware import hal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIRED = sorted(n for n, v in vars(hal.HAL).items() if callable(v) and not n.startswith("_"))


# A base shared by the board HALs: its methods count for the classes built on it.
SHARED_BASES = {"StoredFiles": ("ports/files.py", "StoredFiles"),
                "common.BoardHAL": ("ports/common.py", "BoardHAL")}


def class_methods(tree, name, shared=None):
    """The methods class name defines, and those of the shared bases it is built on."""
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
            for b in node.bases:
                methods |= (shared or {}).get(ast.unparse(b), set())
            return methods
    return set()


def hal_classes():
    found = []
    trees = {}
    ports = os.path.join(ROOT, "firmware", "ports")
    for path in sorted(glob.glob(os.path.join(ports, "*.py")) +
                       glob.glob(os.path.join(ports, "*", "*.py"))):
        with open(path, encoding="utf-8") as f:
            trees["ports/" + os.path.relpath(path, ports)] = ast.parse(f.read())
    shared = {}
    for base, (fname, cls) in SHARED_BASES.items():  # a base after the bases it builds on
        shared[base] = class_methods(trees[fname], cls, shared)
    for fname, tree in trees.items():
        for node in tree.body:
            if not isinstance(node, ast.ClassDef):
                continue
            bases = [ast.unparse(b) for b in node.bases]
            if not any(b in ("hal.HAL", "HAL") or b in shared for b in bases):
                continue
            if (fname, node.name) in SHARED_BASES.values():
                continue  # not a board's HAL: checked through the classes built on it
            methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
            for b in bases:
                methods |= shared.get(b, set())
            found.append((fname, node.name, methods))
    return found


CLASSES = hal_classes()


def test_the_board_hals_are_found():
    names = {c for _, c, _ in CLASSES}
    assert {"HALRp2", "HALEsp32s3", "HALPyboard"} <= names


@pytest.mark.parametrize("fname,cls,methods", CLASSES, ids=[c for _, c, _ in CLASSES])
def test_hal_overrides_every_method(fname, cls, methods):
    missing = [m for m in REQUIRED if m not in methods]
    assert not missing, "%s: %s lacks %s" % (fname, cls, ", ".join(missing))
