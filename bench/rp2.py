"""The firmware's budget on the RP2040: the MicroPython rp2 port on the emulated chip.

    MESOGUN_RP2_IMAGE=firmware.uf2 MESOGUN_RP2_BOOTROM=bootrom.bin \\
        python -m bench.rp2 [--frozen FROZEN.uf2] [--cycles N]

Boots the engineer's MicroPython rp2 image (board RPI_PICO) on rp2040js (emu/chip.py) with
the pico firmware `meso flash` builds (.mpy for armv6m) and the test rig in the flash's
littlefs2, runs bench/chip_mp.py there (the rig's files on that littlefs2), and prints each
figure beside the unix port's from the same run, with their ratio: the heap after importing
the core and after a 300-point protocol, bytes allocated per shot cycle, zone change and
refill, the time to plan a shot (at a zone change and within a zone) and a dose and a depth
move at top speed, one main-loop poll idle and mid-dose (with the firmware's share, the rig's
HAL calls taken out) and what the port's own HAL calls cost on the chip's registers, and one
collection at that heap. --frozen IMAGE (built with
firmware/ports/frozen_manifest_pico.py) adds the heap and import time of the frozen core.

How true the times are: rp2040js counts each Cortex-M0+ instruction's cycles by the book
and models no flash wait states (a real Pico runs code through a 16 KB XIP cache, and a miss
costs tens of cycles), so a chip time here is a lower bound of the real one, good to perhaps
±30 %; heap and allocation figures are exact (they are the port's own allocator).
"""

import argparse
import os
import sys
import tempfile
import time

from bench import chip as unix_bench
from emu.chip import Chip, chip_files, images, lfs_image
from emu.harness import EmuError

HEAP_GOAL = 40 * 1024
# bench.chip's figures (on the chip the rig's files are on the flash's littlefs2 already:
# no second session on a RAM one), and a collection at that heap.
ROWS = tuple(r for r in unix_bench.ROWS if r[0] != "bytes_cycle_littlefs") + (
    ("us_gc_collect", "one gc.collect() with the protocol loaded", "us"),
    ("us_port_inputs", "the port's inputs() (PinIO, on the chip's GPIO)", "us"),
    ("us_port_pressure", "the port's pressure_kpa() (its ADC)", "us"),
    ("us_port_steps_done", "the port's steps_done() (a DMA count read)", "us"),
    ("us_port_moving", "the port's moving() mid-move", "us"),
)
GOALS = {"heap_import": HEAP_GOAL, "bytes_shot_cycle": 0, "bytes_zone_change": 0,
         "bytes_refill": 0, "us_prepare_zone": 5000, "us_prepare_next": 5000,
         "us_repeat_dose": 5000, "us_plan_dose": 5000, "us_plan_depth": 5000}
# The test rig and the bench's own chip side, compiled beside the firmware into /t.
RIG = ("tests/core/rig.py", "tests/core/fakehal.py", "tests/mpy/storehal.py", "bench/chip_mp.py")


_SETUP = "import sys\nsys.path.append('/t')\nsys.argv[:] = ['chip_mp', 'pico', '%d']\n"
_FROZEN = """
import gc, sys, time
gc.collect()
a = gc.mem_alloc()
t = time.ticks_us()
import firmware.app
t = time.ticks_diff(time.ticks_us(), t)
gc.collect()
print("heap_frozen", gc.mem_alloc() - a)
print("us_import_frozen", t)
print("frozen", 1 if "firmware" not in __import__("os").listdir("/") else 0)
"""


def on_chip(image, bootrom, cycles, say):
    with tempfile.TemporaryDirectory() as tmp:
        fs = lfs_image(chip_files(extra=RIG), os.path.join(tmp, "fs.img"))
        t0 = time.monotonic()
        with Chip(image, bootrom, fs=fs) as chip:
            say("booted the rp2 image in %.1f s; running the session on the chip" %
                (time.monotonic() - t0))
            chip.exec(_SETUP % cycles)
            figs = unix_bench.figures(chip.exec("import chip_mp"))
        figs["_emu"] = chip.stats
    return figs


def frozen_on_chip(image, bootrom):
    # The frozen image's own package is what imports: no firmware files on its flash.
    with Chip(image, bootrom) as chip:
        figs = unix_bench.figures(chip.exec(_FROZEN))
    if figs.get("frozen") != 1:
        sys.exit("bench.rp2: %s has no frozen firmware package" % image)
    return figs


def shown(val, unit):
    if unit == "us":
        return "%.3f ms" % (val / 1000.0) if val >= 1000 else "%.1f us" % val
    return "%d B" % val


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.rp2")
    ap.add_argument("--cycles", type=int, default=12,
                    help="shot cycles of the 300-point protocol on the chip (default 12: "
                         "the tenth changes zone)")
    ap.add_argument("--frozen", metavar="IMAGE",
                    help="an rp2 image with the firmware frozen (frozen_manifest_pico.py)")
    args = ap.parse_args(argv)
    try:
        found = images()
    except EmuError as e:
        sys.exit("bench.rp2: %s" % e)
    if found is None:
        sys.exit("bench.rp2: set MESOGUN_RP2_IMAGE to a MicroPython rp2 image (RPI_PICO, .uf2 "
                 "or .bin) and MESOGUN_RP2_BOOTROM to the RP2040's 16 KB bootrom; neither "
                 "ships with the project (docs/DEVICE.md, \"The rp2 port on the emulated "
                 "chip\")")
    image, bootrom = found

    def say(msg):
        print("bench.rp2: " + msg, file=sys.stderr, flush=True)

    try:
        chip = on_chip(image, bootrom, args.cycles, say)
        frozen = frozen_on_chip(args.frozen, bootrom) if args.frozen else None
    except EmuError as e:
        sys.exit("bench.rp2: %s" % e)
    say("the same on the unix port")
    unix = unix_bench.measure("pico")
    emu = chip["_emu"] or {}
    print("MicroPython rp2 port (%s) on the emulated RP2040 (rp2040js, 125 MHz), board pico; "
          "%d shot cycles, dose move %d steps, depth move %d steps; %.1f s of chip time in "
          "%.0f s of wall time" % (os.path.basename(image), chip["cycles"], chip["dose_steps"],
                                   chip["depth_steps"], emu.get("emulated_s", 0),
                                   emu.get("wall_s", 0)))
    print("%-56s %14s %12s %9s  %s" % ("figure", "RP2040", "unix x86-64", "ratio", "goal"))
    for key, label, unit in ROWS:
        val, ref = chip.get(key), unix.get(key)
        if val is None:
            continue
        if key == "bytes_refill" and val < 0:  # too few cycles on the chip to empty the syringe
            print("%-56s %14s %12s" % (label, "not reached", shown(ref, unit)))
            continue
        ratio = ("%8.0fx" % (val / ref)) if unit == "us" and ref else ""
        goal = GOALS.get(key)
        mark = "" if goal is None else ("<= %s  %s" % (shown(goal, unit),
                                                         "met" if val <= goal else "NOT met"))
        print("%-56s %14s %12s %9s  %s" % (label, shown(val, unit),
                                          "-" if ref is None else shown(ref, unit), ratio, mark))
    if frozen:
        print("%-56s %14s %12s %9s  <= %s  %s" % (
            "heap after importing the core, frozen into the image",
            shown(frozen["heap_frozen"], "B"), "", "", shown(HEAP_GOAL, "B"),
            "met" if frozen["heap_frozen"] <= HEAP_GOAL else "NOT met"))
        print("%-56s %14s" % ("import the core, frozen", shown(frozen["us_import_frozen"], "us")))
    print("%-56s %14s" % ("import the core, .mpy files", shown(chip.get("us_import", 0), "us")))


if __name__ == "__main__":
    main()
