"""MicroPython freeze manifest piece: the modules every board's firmware ships (the core,
wire/, the ports package), included by each board's manifest (frozen_manifest.py for unix,
frozen_manifest_pico.py for the Pico), which add the board's port and board files.

MicroPython's manifest syntax (its tools/manifestfile.py runs this file, from this folder);
never imported by the firmware. tests/test_frozen_manifest.py holds every board's manifest to
the files `meso flash` ships for it (host/flash/build.py sources()).
"""
# ruff: noqa: F821  package() is given to this file by MicroPython's manifest runner

ROOT = "../.."  # the repository, from firmware/ports/

CORE = ("__init__ app auth axis board boardcheck boot calibration compat crash dosing fill flow "
        "guard gun hal inputs jsonbound limits line linemove link link_store mainloop manifest "
        "motion pairing progress session settle shot shotcmd shotlog shotplan shottime ticks "
        "trial units")
WIRE = "__init__ cobs crc endpoint faults files frame lock messages modes record reliable states"

package("firmware", base_path=ROOT,
        files=[n + ".py" for n in CORE.split()] + ["wire/%s.py" % n for n in WIRE.split()]
        + ["ports/__init__.py"])
package("boards", base_path=ROOT, files=["__init__.py"])
