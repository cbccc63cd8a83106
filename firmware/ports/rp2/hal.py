"""The HAL on the Raspberry Pi Pico (RP2040): PIO step generation, pins, watchdog, files, USB.

    from firmware import board
    from firmware.ports.rp2.hal import HAL
    h = HAL(board.by_name("pico"), own_usb=True)

Each axis's step pin is driven by a PIO state machine fed by DMA (steps.py); the rest
is shared with the other MicroPython boards (firmware/ports/common.py).
"""

import machine
from machine import Pin

from firmware.ports import common
from firmware.ports.rp2 import words
from firmware.ports.rp2.steps import StepChannel

# PIO state machines: 0 for the plunger, 1 for the carriage (both on PIO0).
_SM_OF_AXIS = (0, 1)


class HALRp2(common.BoardHAL):
    """firmware.hal.HAL on an RP2040 board (see boards/pico.py)."""

    max_interval_ticks = words.MAX_INTERVAL_TICKS

    def __init__(self, board, own_usb=False, watchdog_ms=0, data_folder="/data"):
        """own_usb: the app owns the USB serial (no Ctrl-C into a REPL); watchdog_ms > 0
        starts the hardware watchdog, which the main loop then feeds every pass."""
        pins = board.pins
        if machine.freq() % board.step_clock_hz:
            # The PIO divides the system clock: a fractional divider would jitter every step.
            raise ValueError("system clock %d Hz is not a multiple of the step clock %d Hz"
                             % (machine.freq(), board.step_clock_hz))
        self.step_clock_hz = board.step_clock_hz
        dir_pins = (
            Pin(pins["plunger_dir"], Pin.OUT, value=0),
            Pin(pins["carriage_dir"], Pin.OUT, value=0),
        )
        axes = (
            StepChannel(_SM_OF_AXIS[0], Pin(pins["plunger_step"], Pin.OUT, value=0),
                        board.step_clock_hz),
            StepChannel(_SM_OF_AXIS[1], Pin(pins["carriage_step"], Pin.OUT, value=0),
                        board.step_clock_hz),
        )
        common.BoardHAL.__init__(self, common.PinIO(pins, _pin_id), dir_pins, axes,
                                     own_usb, watchdog_ms, data_folder)

    def idle(self, deadline):
        # Steps need no attention here: the DMA IRQ refills the PIO's ring.
        common.idle(deadline, self.io)

    # -- motion ------------------------------------------------------------------------
    def move(self, axis, direction, segs, nseg):
        total = words.checked_steps(segs, nseg)
        if total < 0:
            raise ValueError("step interval outside what the PIO can time")
        # TMC2209: DIR must settle 20 ns before the first step edge; the PIO's first step
        # comes at least MIN_INTERVAL_TICKS later, after start_axis sets DIR.
        self.start_axis(axis, direction, segs, nseg, total)


def _pin_id(number):
    # RP2040 pins are GPIO numbers, as in boards/pico.py.
    return number


# The port's HAL, the one name boot takes from it.
HAL = HALRp2
