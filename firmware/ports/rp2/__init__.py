"""The rp2 port (Raspberry Pi Pico, RP2040): PIO step generation fed by DMA.

Its HAL class is hal.HAL (boot imports firmware.ports.rp2.hal); this file imports nothing, so
the port's pure parts import and test on any MicroPython.
"""

# The shared modules of firmware/ports/ this port uses; the flash build ships them with it.
NEEDS = ("common", "files", "stream")
