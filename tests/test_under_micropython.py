"""The core tests (tests/core) and the MicroPython-only tests (tests/mpy) under real MicroPython.

Each test function becomes its own pytest item, `mpy::MODULE::FUNCTION`, that fails with the
MicroPython traceback. Each module runs once per session in its own interpreter. Counts:
`pytest tests/test_under_micropython.py::test_core` against `pytest tests/core`.
"""

import ast
import os

import mp_runner
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = ("core", "mpy")


def discover(suites=SUITES):
    """[(module, function)] for every top-level test_* function, in source order."""
    found = []
    for suite in suites:
        folder = os.path.join(ROOT, "tests", suite)
        if not os.path.isdir(folder):
            continue
        for fname in sorted(os.listdir(folder)):
            if not (fname.startswith("test_") and fname.endswith(".py")):
                continue
            module = fname[:-3]
            with open(os.path.join(folder, fname), encoding="utf-8") as f:
                source = f.read()
            try:
                tree = ast.parse(source, fname)
            except SyntaxError as e:
                found.append((module, "<syntax error: %s>" % e))
                continue
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                    found.append((module, node.name))
    return found


CORE_CASES = discover(("core",))
MPY_CASES = discover(("mpy",))


@pytest.fixture(scope="session")
def mp_results(request):
    """Run every module that has a selected test, in parallel, once per session."""
    wanted = {}
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if item.module is not None and item.module.__name__ == __name__ and callspec:
            module, name = callspec.params["case"]
            if not name.startswith("<"):
                wanted.setdefault(module, []).append(name)
    return mp_runner.run_modules(ROOT, wanted)


def check(case, mp_results):
    module, name = case
    assert not name.startswith("<"), "%s: %s" % (module, name)
    ok, text = mp_results[module].outcome(name)
    if not ok:
        pytest.fail("under MicroPython:\n" + text, pytrace=False)


def test_module_names_are_unique():
    # Both folders are on the interpreter's path: a name in both would run the wrong file.
    core = {m for m, _ in CORE_CASES}
    assert not core & {m for m, _ in MPY_CASES}


@pytest.mark.parametrize("case", CORE_CASES, ids=["mpy::%s::%s" % c for c in CORE_CASES])
def test_core(case, mp_results):
    """tests/core, the same tests pytest runs under CPython."""
    check(case, mp_results)


@pytest.mark.parametrize("case", MPY_CASES, ids=["mpy::%s::%s" % c for c in MPY_CASES])
def test_mpy_only(case, mp_results):
    """tests/mpy: heap-locked shot, viper step routines; MicroPython only."""
    check(case, mp_results)
