"""The unix port (MicroPython's unix build): the virtual board, axes timed from the clock.

Its HAL class is hal.HAL (boot imports firmware.ports.unix.hal); this file imports nothing, so
the port's pure parts import and test on any MicroPython.
"""

# The shared modules of firmware/ports/ this port uses; the flash build ships them with it.
NEEDS = ("files", "stream")
