"""MicroPython freeze manifest of the Pico's firmware, for the rp2 port's RPI_PICO board:
`make -C ports/rp2 BOARD=RPI_PICO FROZEN_MANIFEST=<this file>`.

A FROZEN_MANIFEST replaces the port's own, so this one includes it first: without the port's
frozen `_boot` the filesystem is never mounted, and without its `rp2` module the step HAL
cannot import. Then the modules `meso flash` ships for the pico board (host/flash/build.py
sources(); tests/test_frozen_manifest.py holds the two together). docs/DEVICE.md (Memory)
has what freezing saves on the rp2 port, measured on the emulated chip.
"""
# ruff: noqa: F821  include() and package() are given to this file by the manifest runner

ROOT = "../.."  # the repository, from firmware/ports/

include("$(PORT_DIR)/boards/manifest.py")
include("frozen_core.py")
package("firmware", base_path=ROOT,
        files=["ports/common.py", "ports/files.py", "ports/stream.py", "ports/rp2/__init__.py",
               "ports/rp2/hal.py", "ports/rp2/steps.py", "ports/rp2/words.py"])
package("boards", base_path=ROOT, files=["pico.py"])
