"""The virtual board: MicroPython's unix port (sim/board.py) with the pico's mechanics.

Its HAL (firmware/ports/unix) times the axes from the clock and keeps files in the folder
that serves as flash, so flashing, pairing and the link can be rehearsed without hardware.
"""

from boards.pico import BOARD as PICO

# The pico's data; the unix port's own clock wraps at 2**62.
BOARD = dict(PICO, name="unix", mcu="unix", mpy_arch="host", port="unix",
             tick_period=4611686018427387904)
