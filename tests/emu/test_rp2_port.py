"""The heap-locked shot cycles on the MicroPython rp2 port itself, on the emulated RP2040.

The unix port's small ints reach 2**62; the RP2040's end at 2**30, so a value past that
allocates there and nowhere else (the main-loop clock's own period did, until the code
carried its mask). These tests run tests/mpy/test_heaplock.py's shot and session tests on
the rp2 port (emu/chip.py), the firmware as `meso flash` builds it for the pico (.mpy for
armv6m), the session's files on the flash's littlefs2.

They need a MicroPython rp2 image and the RP2040 bootrom, which the project does not ship:
set MESOGUN_RP2_IMAGE and MESOGUN_RP2_BOOTROM (docs/DEVICE.md, "The rp2 port on the emulated
chip"). Without them they are skipped. They take 20-30 minutes: the emulator runs the chip
at about a seventh of real time.
"""

import os

import mp_runner  # tests/ is on the path (tests/conftest.py)
import pytest

from emu.chip import Chip, chip_files, images, lfs_image
from host.flash import build

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

FOUND = images()
pytestmark = [
    pytest.mark.skipif(FOUND is None, reason="no MicroPython rp2 image: set "
                       "MESOGUN_RP2_IMAGE and MESOGUN_RP2_BOOTROM to run these"),
    # The module's one run on the chip takes 20-30 minutes, more on a loaded machine.
    pytest.mark.timeout(7200),
]
# Every shot and session test of test_heaplock but the two that mount a RAM disk of 128 KB
# for other boards' file systems (the Pico's own is the flash's littlefs2, used here).
LOCKED = ("test_point_shot_allocates_nothing", "test_burst_shot_allocates_nothing",
          "test_pressure_held_shot_allocates_nothing",
          "test_settled_shot_with_its_top_up_allocates_nothing",
          "test_continuous_pass_on_a_held_line_allocates_nothing",
          "test_contact_loss_trip_allocates_nothing_until_safing",
          "test_whole_session_cycles_allocate_nothing_on_the_ports_own_file_system")


def rig_files():
    """The pico build, the test helpers and test_heaplock in /t, and the rig's board."""
    helpers = ["tests/mp_runner.py", "tests/mpy/test_heaplock.py"] + [
        d + "/" + n for d in ("tests/core", "tests/mpy")
        for n in sorted(os.listdir(os.path.join(ROOT, d)))
        if n.endswith(".py") and not n.startswith("test_") and n != "conftest.py"]
    files = chip_files("pico", extra=helpers)
    tool = build.mpy_cross()
    for rel in build.board_files("sim"):
        files[rel[:-3] + ".mpy"] = build.compile_one(tool, "armv6m", rel)
    return files


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    image, bootrom = FOUND
    fs = lfs_image(rig_files(), str(tmp_path_factory.mktemp("rp2") / "fs.img"))
    with Chip(image, bootrom, fs=fs) as chip:
        out = chip.exec("import os, sys\nif 'tmp' not in os.listdir('/'): os.mkdir('/tmp')\n"
                        "sys.path.append('/t')\nimport micropython\n"
                        "micropython.alloc_emergency_exception_buf(512)\nimport mp_runner\n"
                        "mp_runner.mp_main(%r)" % (["test_heaplock"] + list(LOCKED)))
    return mp_runner.parse("test_heaplock", out, 0, "")


@pytest.mark.parametrize("name", LOCKED)
def test_heap_locked_on_the_rp2_port(name, results):
    ok, text = results.outcome(name)
    assert ok, "on the rp2 port:\n" + text
