"""The HAL on the Raspberry Pi Pico (RP2040): PIO step generation, pins, watchdog, files, USB.

    from firmware import board, hal_rp2
    b = board.by_name("pico")
    h = hal_rp2.HALRp2(b, own_usb=True)

Each axis's step pin is driven by a PIO state machine fed by DMA (hal_rp2_steps); the rest
is shared with the other MicroPython boards (hal_common).
"""

import time

import machine
from machine import WDT, Pin

from firmware import hal, hal_common
from firmware import hal_rp2_words as words
from firmware.hal_rp2_steps import StepChannel

# PIO state machines: 0 for the plunger, 1 for the carriage (both on PIO0).
_SM_OF_AXIS = (0, 1)


class HALRp2(hal.HAL):
    """firmware.hal.HAL on an RP2040 board (see boards/pico.py)."""

    tick_period = 1 << 30
    ticks_per_s = 1000000
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
        self.io = hal_common.PinIO(pins, _pin_id)
        self.dir_pins = (
            Pin(pins["plunger_dir"], Pin.OUT, value=0),
            Pin(pins["carriage_dir"], Pin.OUT, value=0),
        )
        self.axes = (
            StepChannel(_SM_OF_AXIS[0], Pin(pins["plunger_step"], Pin.OUT, value=0),
                        board.step_clock_hz),
            StepChannel(_SM_OF_AXIS[1], Pin(pins["carriage_step"], Pin.OUT, value=0),
                        board.step_clock_hz),
        )
        self.wdt = WDT(timeout=watchdog_ms) if watchdog_ms > 0 else None
        self.files = hal_common.FileStore(data_folder)
        self.stream = hal_common.Stream(own_usb)

    # -- clock -------------------------------------------------------------------------
    def ticks(self):
        return time.ticks_us()

    def unique_id(self):
        return hal_common.unique_id()

    def idle(self, deadline):
        # Steps need no attention here: the DMA IRQ refills the PIO's ring.
        hal_common.idle(deadline, self.io)

    # -- motion ------------------------------------------------------------------------
    def move(self, axis, direction, segs, nseg):
        total = words.checked_steps(segs, nseg)
        if total < 0:
            raise ValueError("step interval outside what the PIO can time")
        # TMC2209: DIR must settle 20 ns before the first step edge; the PIO's first step
        # comes at least MIN_INTERVAL_TICKS later.
        self.dir_pins[axis].value(1 if direction == hal.FORWARD else 0)
        self.axes[axis].start(segs, nseg, total)

    def moving(self, axis):
        return self.axes[axis].moving()

    def steps_done(self, axis):
        return self.axes[axis].steps_done()

    def stop(self, axis):
        self.axes[axis].stop()

    def enable(self, on):
        self.io.output(hal.OUT_ENABLE, on)

    # -- inputs and outputs ------------------------------------------------------------
    def inputs(self):
        return self.io.inputs()

    def pressure_kpa(self):
        return self.io.pressure_kpa()

    def output(self, which, on):
        self.io.output(which, on)

    def feed_watchdog(self):
        if self.wdt is not None:
            self.wdt.feed()

    # -- storage -----------------------------------------------------------------------
    def read_file(self, name):
        return self.files.read_file(name)

    def write_file_atomic(self, name, data):
        self.files.write_file_atomic(name, data)

    def append_file(self, name, data):
        self.files.append_file(name, data)

    # -- byte stream -------------------------------------------------------------------
    def read_bytes(self, buf):
        return self.stream.read_bytes(buf)

    def write_bytes(self, data):
        self.stream.write_bytes(data)


def _pin_id(number):
    # RP2040 pins are GPIO numbers, as in boards/pico.py.
    return number
