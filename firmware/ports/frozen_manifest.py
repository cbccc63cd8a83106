"""MicroPython freeze manifest of the unix board's firmware: `make FROZEN_MANIFEST=<this file>`.

MicroPython's manifest syntax (its tools/manifestfile.py runs this file, from this folder);
never imported by the firmware. It freezes the modules `meso flash` ships for the board
(host/flash/build.py sources()), which tests/test_frozen_manifest.py holds it to: frozen,
their bytecode stays in the image's flash instead of being loaded into the heap.
docs/DEVICE.md (Memory) has the figures and which way a production gun runs.
"""
# ruff: noqa: F821  include() and package() are given to this file by the manifest runner

ROOT = "../.."  # the repository, from firmware/ports/

include("frozen_core.py")
package("firmware", base_path=ROOT,
        files=["ports/files.py", "ports/stream.py", "ports/unix/__init__.py", "ports/unix/hal.py"])
package("boards", base_path=ROOT, files=["unix.py", "pico.py"])
