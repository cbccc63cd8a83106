"""The simulated board: the pico's mechanics and limits, driven by the SimPy world in sim/."""

from boards.pico import BOARD as PICO

BOARD = dict(PICO, name="sim", mcu="sim", port="sim")
