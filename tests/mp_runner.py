"""Run test modules under the real MicroPython interpreter and read back per-test results.

One file, two sides. Under MicroPython (`micropython tests/mp_runner.py MODULE [TEST...]`)
it imports MODULE, calls each test function and prints a marker line per test. Under CPython,
run_modules() starts one interpreter per module (a few at a time), parses the markers and
returns {module: ModuleResult} for pytest to report test by test.
"""

import sys

MARK = "@@mp-runner "
# Extra search path under MicroPython: the repo root (firmware, boards), the test helpers
# next to the core tests, and the interpreter's frozen modules.
TEST_DIRS = ("tests/core", "tests/mpy")


def _heap_free():
    """Unlock the heap if a test left it locked, without allocating; True if it had to."""
    # There is no heap_locked(). heap_unlock() returns the depth left; on an unlocked heap the
    # depth wraps to a large number, which heap_lock() undoes.
    was_locked = False
    while True:
        depth = micropython.heap_unlock()
        if depth > 1000:
            micropython.heap_lock()
            return was_locked
        was_locked = True
        if depth == 0:
            return True


def _run_one(mod, name):
    import gc

    gc.collect()
    print(MARK + "start " + name)
    fn = getattr(mod, name, None)
    if fn is None:
        print(MARK + "fail " + name)
        print("no function %s in %s" % (name, mod.__name__))
        return
    t0 = time_ms()
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every failure is reported, then the next test runs
        locked = _heap_free()
        print(MARK + "fail " + name)
        sys.print_exception(e, sys.stdout)
        if locked:
            print("(the heap was still locked when the test ended)")
        return
    if _heap_free():
        print(MARK + "fail " + name)
        print("the test returned with the heap still locked")
        return
    print(MARK + "pass %s %d" % (name, ticks_diff(time_ms(), t0)))


def mp_main(argv):
    """Entry point under MicroPython: argv = [module, test names...] (all tests if none)."""
    global micropython, time_ms, ticks_diff
    import time

    import micropython

    time_ms, ticks_diff = time.ticks_ms, time.ticks_diff
    modname = argv[0]
    print(MARK + "module " + modname)
    try:
        mod = __import__(modname)
    except Exception as e:  # noqa: BLE001 - an import failure fails every test of the module
        print(MARK + "import-error")
        sys.print_exception(e, sys.stdout)
        print(MARK + "done")
        return
    names = argv[1:]
    if not names:
        names = sorted(n for n in dir(mod) if n.startswith("test_") and callable(getattr(mod, n)))
    for name in names:
        _run_one(mod, name)
    print(MARK + "done")


# ---------------------------------------------------------------------------------------------
# CPython side.


class ModuleResult:
    """What one interpreter run reported: per-test (ok, text), or an error for all tests."""

    def __init__(self, module):
        self.module = module
        self.tests = {}  # name -> (ok, text)
        self.error = None  # import error, crash or timeout: fails every test not reported

    def outcome(self, name):
        if name in self.tests:
            return self.tests[name]
        if self.error:
            return False, self.error
        return False, "MicroPython did not report %s::%s" % (self.module, name)


def parse(module, out, rc, err):
    """Turn a runner's stdout into a ModuleResult."""
    res = ModuleResult(module)
    current, status, text = None, None, []
    imp_err = None
    current_or_last = [None]

    def close():
        if current is not None:
            body = "\n".join(text).rstrip()
            if status == "pass":
                res.tests[current] = (True, body)
            elif status == "fail":
                res.tests[current] = (False, body)
            else:
                res.tests[current] = (False, "MicroPython died during the test (exit %s)\n%s\n%s"
                                      % (rc, body, err.rstrip()))

    done = False
    for line in out.splitlines():
        if not line.startswith(MARK):
            if imp_err is not None:
                imp_err.append(line)
            elif current is not None:
                text.append(line)
            continue
        word = line[len(MARK):].split(" ")
        if word[0] == "start":
            close()
            current_or_last[0] = word[1]
            current, status, text = word[1], None, []
        elif word[0] in ("pass", "fail"):
            status = word[0]
        elif word[0] == "import-error":
            imp_err = []
        elif word[0] == "done":
            close()
            current, done = None, True
    close()
    if imp_err is not None:
        res.error = "%s fails to import under MicroPython:\n%s" % (module, "\n".join(imp_err))
    elif not done and current_or_last[0] is None:
        res.error = "MicroPython run of %s failed before any test (exit %s)\n%s\n%s" % (
            module, rc, out.rstrip(), err.rstrip())
    elif not done:
        res.error = "MicroPython run of %s ended early (exit %s) in %s; this test did not run" % (
            module, rc, current_or_last[0])
    return res


def micropython_cmd(root):
    import os

    exe = os.path.join(os.path.dirname(sys.executable), "micropython")
    return [exe, os.path.join(root, "tests", "mp_runner.py")]


def run_module(root, module, names, timeout_s=120):
    """Run one test module (file stem) under MicroPython; names in source order."""
    import os
    import subprocess

    env = dict(os.environ)
    path = [root] + [os.path.join(root, d) for d in TEST_DIRS] + [".frozen"]
    env["MICROPYPATH"] = os.pathsep.join(path)
    try:
        p = subprocess.run(micropython_cmd(root) + [module] + list(names), env=env, cwd=root,
                           capture_output=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as e:
        res = parse(module, (e.stdout or b"").decode("utf-8", "replace"), "timeout", "")
        res.error = "MicroPython run of %s timed out after %d s" % (module, timeout_s)
        return res
    return parse(module, p.stdout.decode("utf-8", "replace"), p.returncode,
                 p.stderr.decode("utf-8", "replace"))


def run_modules(root, wanted, jobs=None):
    """wanted: {module: [test names]} -> {module: ModuleResult}, run jobs at a time."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    jobs = jobs or max(1, min(len(wanted), os.cpu_count() or 1))
    with ThreadPoolExecutor(jobs) as pool:
        futs = {m: pool.submit(run_module, root, m, names) for m, names in sorted(wanted.items())}
        return {m: f.result() for m, f in futs.items()}


if sys.implementation.name == "micropython" and __name__ == "__main__":
    mp_main(sys.argv[1:])
