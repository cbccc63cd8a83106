"""MicroPython freeze manifest of the unix board's firmware: `make FROZEN_MANIFEST=<this file>`.

MicroPython's manifest syntax (its tools/manifestfile.py runs this file, from this folder);
never imported by the firmware. It freezes the modules `meso flash` ships for the board
(host/flash/build.py sources()), which tests/test_frozen_manifest.py holds it to: frozen,
their bytecode stays in the image's flash instead of being loaded into the heap.
docs/DEVICE.md (Memory) has the figures and which way a production gun runs.
"""
# ruff: noqa: F821  package() is given to this file by MicroPython's manifest runner

ROOT = "../.."  # the repository, from firmware/ports/

CORE = ("__init__ app auth axis board boardcheck boot calibration compat crash dosing fill flow "
        "guard gun hal inputs jsonbound limits line linemove link link_store mainloop manifest "
        "motion pairing progress session settle shot shotcmd shotlog shotplan shottime ticks "
        "trial units")
WIRE = "__init__ cobs crc endpoint faults files frame lock messages modes record reliable states"
PORTS = ("ports/__init__.py", "ports/files.py", "ports/stream.py", "ports/unix/__init__.py",
         "ports/unix/hal.py")

package("firmware", base_path=ROOT,
        files=[n + ".py" for n in CORE.split()] + ["wire/%s.py" % n for n in WIRE.split()]
        + list(PORTS))
package("boards", base_path=ROOT, files=["__init__.py", "unix.py", "pico.py"])
