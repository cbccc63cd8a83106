"""The esp32s3 port (ESP32-S3): RMT step pulses counted by PCNT.

Its HAL class is hal.HAL (boot imports firmware.ports.esp32s3.hal); this file imports nothing, so
the port's pure parts import and test on any MicroPython.
"""

# The shared modules of firmware/ports/ this port uses; the flash build ships them with it.
NEEDS = ("common", "files", "stream")
