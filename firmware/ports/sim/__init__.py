"""The sim port: a proxy HAL to the SimPy kernel, for the core run inside MicroPython.

Its HAL class is hal.HAL (boot imports firmware.ports.sim.hal); this file imports nothing, so
the port's pure parts import and test on any MicroPython.
"""

# The shared modules of firmware/ports/ this port uses; the flash build ships them with it.
NEEDS = ()
