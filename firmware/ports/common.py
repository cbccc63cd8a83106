"""HAL parts every MicroPython board shares: pins, the file store (files.py) and the byte
stream (stream.py).

Used by the rp2, esp32s3 and pyboard ports, which add step generation, the watchdog and
the board's pin naming. Only firmware/ports/ imports machine.
"""

import time

import machine
from machine import ADC, WDT, Pin

from firmware import hal
from firmware.ports.files import FileStore, StoredFiles  # noqa: F401 - also by this name
from firmware.ports.stream import Stream

# Input pins: (board pin name, HAL bit, active level). Switches and the trigger close to
# ground against the pull-up; the TMC2209 DIAG output and the contact sensor drive high.
INPUTS = (
    ("trigger", hal.IN_TRIGGER, 0),
    ("contact", hal.IN_CONTACT, 1),
    ("plunger_home", hal.IN_PLUNGER_HOME, 0),
    ("plunger_end", hal.IN_PLUNGER_END, 0),
    ("carriage_home", hal.IN_CARRIAGE_HOME, 0),
    ("plunger_diag", hal.IN_STALL_PLUNGER, 1),
    ("carriage_diag", hal.IN_STALL_CARRIAGE, 1),
    ("pedal", hal.IN_PEDAL, 0),
)
# Longest single wait in idle(): the loop comes back to feed the watchdog and poll the link.
IDLE_MAX_US = 50000
# Full scale of the line-pressure sensor at the ADC's full scale (ratiometric, 0..1 MPa).
PRESSURE_FULL_KPA = 1000


class PinIO:
    """Digital inputs (trigger latched by a pin IRQ), outputs and the pressure ADC."""

    def __init__(self, pins, pin_id):
        """pins: the board's pin table; pin_id(number) gives what machine.Pin accepts."""
        self.ins = []
        for name, bit, active in INPUTS:
            if pins[name] is not None:
                pull = Pin.PULL_UP if active == 0 else Pin.PULL_DOWN
                self.ins.append((Pin(pin_id(pins[name]), Pin.IN, pull), bit, active))
        self.ins = tuple(self.ins)
        self.trigger_pin = Pin(pin_id(pins["trigger"]), Pin.IN, Pin.PULL_UP)
        self.trigger_seen = False
        # A press shorter than a main-loop pass is not lost: the IRQ only sets a flag.
        self.trigger_pin.irq(self._on_trigger, Pin.IRQ_FALLING, hard=True)
        self.buzzer = Pin(pin_id(pins["buzzer"]), Pin.OUT, value=0)
        self.led = None
        if pins["led"] is not None:
            self.led = Pin(pin_id(pins["led"]), Pin.OUT, value=0)
        # TMC2209 EN is active low: drivers released until enable(True).
        self.enable_pin = Pin(pin_id(pins["driver_enable"]), Pin.OUT, value=1)
        self.adc = None
        if pins["pressure_adc"] is not None:
            self.adc = ADC(Pin(pin_id(pins["pressure_adc"])))
        self.alarm = False

    def _on_trigger(self, pin):
        self.trigger_seen = True

    def levels(self):
        """Input levels as they are now, leaving the latched trigger press alone."""
        bits = 0
        for pin, bit, active in self.ins:
            if pin.value() == active:
                bits |= bit
        return bits

    def inputs(self):
        bits = 0
        for pin, bit, active in self.ins:
            if pin.value() == active:
                bits |= bit
        if self.trigger_seen:
            self.trigger_seen = False
            bits |= hal.IN_TRIGGER
        return bits

    def pressure_kpa(self):
        if self.adc is None:
            return hal.NO_PRESSURE
        return (self.adc.read_u16() * PRESSURE_FULL_KPA) >> 16

    def output(self, which, on):
        v = 1 if on else 0
        if which == hal.OUT_BUZZER:
            self.buzzer.value(v)
        elif which == hal.OUT_LED:
            if self.led is not None:
                self.led.value(v)
        elif which == hal.OUT_ENABLE:
            self.enable_pin.value(1 - v)
        elif which == hal.OUT_ALARM:
            self.alarm = on
            self.buzzer.value(v)
            if self.led is not None:
                self.led.value(v)


def unique_id():
    """The MCU's factory-programmed unique id, as hex: the gun's device id."""
    from binascii import hexlify

    return hexlify(machine.unique_id()).decode()


def idle(deadline, io, service=None):
    """Wait until the deadline (a ticks_us value), a trigger press or any input edge, which
    ends the wait within 1 ms (the core relies on it while moves run); service() every ms."""
    start = time.ticks_us()
    if time.ticks_diff(deadline, start) > IDLE_MAX_US:
        deadline = time.ticks_add(start, IDLE_MAX_US)
    levels = io.levels()
    while not io.trigger_seen and io.levels() == levels:
        left_us = time.ticks_diff(deadline, time.ticks_us())
        if left_us <= 0:
            return
        if service is not None:
            service()
        # sleep_ms lets the port sleep and run scheduled callbacks; the last stretch is exact.
        if left_us > 1500:
            time.sleep_ms(1)
        else:
            time.sleep_us(left_us)


class BoardHAL(StoredFiles, hal.HAL):
    """What every MicroPython board's HAL does alike. A board's class builds its PinIO, its
    direction pins and its axes (objects with start, moving, steps_done and stop), hands
    them to __init__, and adds idle() and move()."""

    tick_mask = (1 << 30) - 1  # time.ticks_us() wraps at 2**30 on every MCU port
    ticks_per_s = 1000000

    def __init__(self, io, dir_pins, axes, own_usb, watchdog_ms, data_folder):
        """io: PinIO; dir_pins and axes: one per axis; watchdog_ms > 0 starts the watchdog."""
        self.io = io
        self.dir_pins = dir_pins
        self.axes = axes
        self.wdt = WDT(timeout=watchdog_ms) if watchdog_ms > 0 else None
        self.files = FileStore(data_folder)
        self.stream = Stream(own_usb)

    def start_axis(self, axis, direction, segs, nseg, total):
        """Set the direction pin, then hand the checked move to the axis's step generator."""
        self.dir_pins[axis].value(1 if direction == hal.FORWARD else 0)
        self.axes[axis].start(segs, nseg, total)

    def ticks(self):
        return time.ticks_us()

    def unique_id(self):
        return unique_id()

    def moving(self, axis):
        return self.axes[axis].moving()

    def steps_done(self, axis):
        return self.axes[axis].steps_done()

    def stop(self, axis):
        self.axes[axis].stop()

    def enable(self, on):
        self.io.output(hal.OUT_ENABLE, on)

    def inputs(self):
        return self.io.inputs()

    def pressure_kpa(self):
        return self.io.pressure_kpa()

    def output(self, which, on):
        self.io.output(which, on)

    def feed_watchdog(self):
        if self.wdt is not None:
            self.wdt.feed()

    def read_bytes(self, buf):
        return self.stream.read_bytes(buf)

    def write_bytes(self, data):
        self.stream.write_bytes(data)
