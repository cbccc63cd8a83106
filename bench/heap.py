"""The firmware's heap and import time with its modules as .py, as .mpy files or frozen.

    python -m bench.heap [--micropython PATH ...] [--runs N]

Runs bench/heap_mp.py under each MicroPython given (the venv's unix port by default), with
the unix board's firmware imported from its .py sources, from the .mpy files `meso flash`
builds for it (mpy-cross, host/flash/build.py) and, when that interpreter has it frozen into
its image (firmware/ports/frozen_manifest.py), frozen. "frozen" is what the interpreter
reports: whether the firmware package it imported lives in its image (.frozen) or on the
filesystem. Heaps are gc.mem_alloc() after gc.collect(), from a fresh interpreter; import
times are the median of --runs fresh interpreters, on this host (not a 125 MHz Cortex-M0+).
A configuration that fails (a 32-bit unix port runs out of stack compiling the .py sources)
is named with its error and left out.
Ratios are against the .mpy files on the first interpreter that imported them.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile

from host.flash import build as flash_build

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, "bench", "heap_mp.py")
CORE_TESTS = os.path.join(ROOT, "tests", "core")  # the rig and its FakeHAL, as bench.chip
ROWS = (
    ("heap_core", "heap after importing the core (firmware.app)", "KB"),
    ("heap_all", "heap after importing all the board's modules", "KB"),
    ("heap_loaded", "heap with the rig and a 300-point protocol loaded", "KB"),
    ("us_import_core", "import time of the core (median)", "ms"),
    ("us_import_all", "import time of all the board's modules (median)", "ms"),
)


class RunFailed(Exception):
    """The interpreter stopped with an error (its last line)."""


def run_once(exe, path, cwd):
    env = dict(os.environ, MICROPYPATH=os.pathsep.join(path))
    out = subprocess.run([exe, "-X", "heapsize=64M", SCRIPT], capture_output=True, text=True,
                         env=env, cwd=cwd)
    if out.returncode != 0:
        lines = (out.stdout + out.stderr).strip().splitlines()
        raise RunFailed(lines[-1] if lines else "exit status %d" % out.returncode)
    figs = {}
    for line in out.stdout.splitlines():
        key, _, val = line.partition(" ")
        figs[key] = int(val) if val.isdigit() else val.replace("_", " ")
    return figs


def measure(exe, path, cwd, runs):
    """The figures of one configuration: heaps from the first run, times as medians."""
    all_runs = [run_once(exe, path, cwd) for _ in range(runs)]
    figs = dict(all_runs[0])
    for key in ("us_import_core", "us_import_all"):
        figs[key] = statistics.median(r[key] for r in all_runs)
    return figs


def write_mpy(folder):
    """The unix board's firmware as `meso flash` builds it: one .mpy file per module."""
    for rel, blob in flash_build.build("unix").files.items():
        dest = os.path.join(folder, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as f:
            f.write(blob)


def configurations(mpy_dir):
    """(firmware from, MICROPYPATH, frozen expected) on one interpreter: the image's modules
    (.frozen) last for files, so files win; for frozen no firmware files at all."""
    return (("as .py sources", [ROOT, CORE_TESTS, ".frozen"], False),
            ("as .mpy files", [mpy_dir, CORE_TESTS, ".frozen"], False),
            ("frozen", [".frozen", CORE_TESTS], True))


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.heap")
    ap.add_argument("--micropython", action="append", metavar="PATH",
                    help="a MicroPython unix-port interpreter (repeat for several)")
    ap.add_argument("--runs", type=int, default=5, help="fresh interpreters per import time")
    args = ap.parse_args(argv)
    exes = [os.path.abspath(e) for e in args.micropython or
            [os.path.join(os.path.dirname(sys.executable), "micropython")]]
    for exe in exes:
        if not os.access(exe, os.X_OK):
            sys.exit("bench.heap: --micropython %s: not an executable file" % exe)
    results, notes = [], []
    with tempfile.TemporaryDirectory() as tmp:
        mpy_dir = os.path.join(tmp, "mpy")
        write_mpy(mpy_dir)
        for exe in exes:
            for kind, path, want_frozen in configurations(mpy_dir):
                try:
                    figs = measure(exe, path, tmp, max(1, args.runs))
                except RunFailed as e:
                    if want_frozen and "no module named 'firmware" in str(e):
                        notes.append("%s: frozen: no (its image has no firmware)" % exe)
                        continue
                    notes.append("%s, firmware %s: failed: %s" % (exe, kind, e))
                    continue
                if want_frozen and not figs["frozen"]:
                    notes.append("%s: frozen: no (its image has no firmware)" % exe)
                    continue
                results.append(("%s, firmware %s" % (exe, kind), figs))
    show(results)
    for note in notes:
        print(note)


def show(results):
    mpy = [r for r in results if r[0].endswith(".mpy files")]
    if not mpy:
        sys.exit("bench.heap: no interpreter imported the .mpy files: no baseline")
    base = mpy[0][1]  # the .mpy files on the first interpreter that ran them
    print("ratios against: " + mpy[0][0])
    for label, figs in results:
        print("%s\n  MicroPython %s; frozen: %s" % (label, figs["version"],
                                                   "yes" if figs["frozen"] else "no"))
        for key, text, unit in ROWS:
            val = figs[key] / 1024.0 if unit == "KB" else figs[key] / 1000.0
            print("  %-52s %9.1f %s  x%.2f" % (text, val, unit, figs[key] / float(base[key])))


if __name__ == "__main__":
    main()
