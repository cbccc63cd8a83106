"""The firmware's budget on the MicroPython unix port: heap, bytes allocated, time per step.

    python -m bench.chip [--board pico] [--modules]

Runs bench/chip_mp.py under the venv's MicroPython (unix port, x86-64) on the test rig's
FakeHAL, its files in the boards' real file store (firmware/ports/files.py), and prints: heap
after importing the core and after loading a 300-point protocol; bytes allocated per shot
cycle (trigger -> shot -> pace -> armed again, the next shot planned, the journal appended
and the progress saved), per zone change and per refill, on the unix file system and on
littlefs2 (the Pico's, on a RAM block device); time to plan a dose and a depth move; one main-loop poll idle
and mid-dose, with the firmware's share of it (the rig's HAL walks a moving axis's segments
step by step to count its steps, where a board reads a counter). These are unix-port
figures: times are for an x86-64 host, not a 125 MHz Cortex-M0+, and ints up to 2**62 are small there (on the RP2040 every int past 2**30 is a
heap object, so figures of 0 bytes here only hold there if the values stay below 2**30,
which tests/test_small_ints.py checks).
"""

import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOALS = {"heap_import": 40 * 1024, "bytes_shot_cycle": 0, "bytes_zone_change": 0,
         "bytes_refill": 0, "bytes_cycle_littlefs": 0}
ROWS = (
    ("heap_import", "heap after importing the core", "B"),
    ("heap_loaded", "heap after loading a 300-point protocol (rig included)", "B"),
    ("bytes_shot_cycle", "allocated per shot cycle, journal + progress written", "B"),
    ("bytes_zone_change", "allocated by a cycle that changes zone", "B"),
    ("bytes_refill", "allocated by a refill", "B"),
    ("bytes_cycle_littlefs", "per cycle, zone change or refill, files on littlefs2", "B"),
    ("bytes_plan_dose", "allocated by planning one dose move", "B"),
    ("us_first_dose", "plan an axis's first dose move (its ramp fitted)", "us"),
    ("us_first_depth", "plan an axis's first depth move (its ramp fitted)", "us"),
    ("us_prepare_zone", "plan a zone's first shot in the session (worst)", "us"),
    ("us_prepare_zone_mean", "  the same, mean", "us"),
    ("us_prepare_next", "plan the next shot of a zone in the session (worst)", "us"),
    ("us_prepare_next_mean", "  the same, mean", "us"),
    ("us_plan_dose", "plan a dose move of another length at top speed", "us"),
    ("us_plan_depth", "plan a depth move of another length at top speed", "us"),
    ("us_repeat_dose", "plan the same dose move again", "us"),
    ("us_poll_idle", "one main-loop poll, armed and idle", "us"),
    ("us_poll_idle_core", "  of it the firmware's (the rig's HAL calls taken out)", "us"),
    ("us_poll_dose", "one main-loop poll, mid-dose", "us"),
    ("us_poll_dose_core", "  of it the firmware's (the rig's HAL calls taken out)", "us"),
)


def measure(board):
    exe = os.path.join(os.path.dirname(sys.executable), "micropython")
    path = os.pathsep.join([ROOT, os.path.join(ROOT, "tests", "core"),
                            os.path.join(ROOT, "tests", "mpy"), ".frozen"])
    env = dict(os.environ, MICROPYPATH=path)
    out = subprocess.run([exe, "-X", "heapsize=64M", os.path.join(ROOT, "bench", "chip_mp.py"),
                          board], capture_output=True, text=True, env=env, cwd=ROOT)
    if out.returncode != 0:
        sys.exit("bench.chip: the MicroPython run failed:\n" + out.stdout + out.stderr)
    return figures(out.stdout)


def figures(text):
    """{key: value} of chip_mp.py's "key value" lines (ints, floats, or words)."""
    figs = {}
    for line in text.splitlines():
        key, _, val = line.strip().partition(" ")
        figs[key] = float(val) if "." in val else (int(val) if val.lstrip("-").isdigit() else val)
    return figs


# Run with -c (a script file run the same way stops on the unix port with "uncaught NLR").
_IMPORTED = """
import sys
before = set(sys.modules)
import firmware.app
print(" ".join(m for m in sys.modules if m not in before and m.startswith("firmware.")))
"""
_OWN = """
import gc
for m in %r:
    __import__(m)
gc.collect()
a = gc.mem_alloc()
__import__(%r)
gc.collect()
print(gc.mem_alloc() - a)
"""


def _mp(code):
    exe = os.path.join(os.path.dirname(sys.executable), "micropython")
    env = dict(os.environ, MICROPYPATH=ROOT)
    out = subprocess.run([exe, "-X", "heapsize=64M", "-c", code], capture_output=True, text=True,
                         env=env, cwd=ROOT)
    if out.returncode != 0:
        sys.exit("bench.chip: the MicroPython run failed:\n" + out.stdout + out.stderr)
    return out.stdout.split()


def module_heaps():
    """[(bytes, module)] of the core's modules, largest first: the heap each takes when it
    is imported after the modules it imports (its own code, tables and names)."""
    rows = []
    for m in _mp(_IMPORTED):
        deps = [d for d in _mp(_IMPORTED.replace("firmware.app", m)) if d != m]
        rows.append((int(_mp(_OWN % (deps, m))[0]), m))
    return sorted(rows, reverse=True)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.chip")
    ap.add_argument("--board", default="pico")
    ap.add_argument("--modules", action="store_true",
                    help="also print the heap each module of the core takes")
    args = ap.parse_args(argv)
    figs = measure(args.board)
    print("MicroPython unix port (x86-64), board %s; %d shot cycles, dose move %d steps, "
          "depth move %d steps" % (args.board, figs["cycles"], figs["dose_steps"],
                                   figs["depth_steps"]))
    print("%-58s %12s  %s" % ("figure", "value", "goal"))
    for key, label, unit in ROWS:
        val = figs[key]
        shown = ("%.1f" % val) if isinstance(val, float) else "%d" % val
        goal = GOALS.get(key)
        mark = "" if goal is None else ("<= %d %s  %s" % (goal, unit, "met" if val <= goal
                                                            else "NOT met"))
        print("%-58s %12s %-2s %s" % (label, shown, unit, mark))
    if args.modules:
        rows = module_heaps()
        print("heap by module of the core (imported after what it imports), %d B in all:"
              % sum(b for b, _ in rows))
        for b, m in rows:
            print("  %-30s %8d B" % (m, b))


if __name__ == "__main__":
    main()
