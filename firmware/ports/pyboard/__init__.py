"""The pyboard port (Pyboard v1.1, STM32F405): 32-bit timer PWM, one interrupt per step.

Its HAL class is hal.HAL (boot imports firmware.ports.pyboard.hal); this file imports nothing, so
the port's pure parts import and test on any MicroPython.
"""

# The shared modules of firmware/ports/ this port uses; the flash build ships them with it.
NEEDS = ("common", "files", "stream")
