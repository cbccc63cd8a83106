"""The HAL on an ESP32-S3: RMT step generation, PCNT step counting, pins, watchdog, files, USB.

No PIO here: each axis's steps go out through an RMT channel clocked at the board's step
clock (10 MHz: 0.1 µs) in chunks of CHUNK entries (pulses.py). While one chunk
plays, the next is expanded; it is handed to RMT.write_pulses within LEAD_US of the playing
chunk's end (the call waits for that end, then starts the chunk), from moving(), idle() or
feed_watchdog(). Inside a chunk every step edge is exact; at a join the RMT restart adds a
short gap. A PCNT counter (machine.Counter) on the step pin counts the pulses really sent,
so steps_done is exact.
"""

import time

import esp32
from machine import Counter, Pin

from firmware.ports import common
from firmware.ports.esp32s3.pulses import PulseFeeder

CHUNK = 2048  # entries per chunk: >= 1024 steps, 12.8 ms at 80 000 steps/s
LEAD_US = 3000  # hand over the next chunk this close to the playing one's end


class RmtAxis:
    """One axis: an RMT channel, a PCNT unit on the same pin, two chunk buffers."""

    def __init__(self, index, step_pin, step_clock_hz):
        # The counter is attached first so that the RMT output setup of the pin comes last.
        self.counter = Counter(index, Pin(step_pin), edge=Counter.RISING)
        self.rmt = esp32.RMT(index, pin=Pin(step_pin), resolution_hz=step_clock_hz,
                             idle_level=False)
        self.ticks_per_us = step_clock_hz // 1000000
        self.feeder = PulseFeeder()
        self.durations = ([1] * CHUNK, [1] * CHUNK)
        self.levels = ([False] * CHUNK, [False] * CHUNK)
        self.chunk_us = [0, 0]
        self.ready = -1  # buffer filled and waiting for its turn, or -1
        self.end_us = 0  # ticks_us when the playing chunk ends
        self.total = 0
        self.running = False

    def start(self, segs, nseg, total):
        self.counter.value(0)
        self.feeder.start(segs, nseg)
        self.total = total
        self.running = True
        self.ready = -1
        if self._fill(0):
            self._play(0)

    def _fill(self, i):
        """Expand the next chunk into buffer i; True if it carries steps."""
        if self.feeder.fill(self.durations[i], self.levels[i]) == 0:
            return False
        self.chunk_us[i] = self.feeder.chunk_ticks // self.ticks_per_us
        return True

    def _play(self, i):
        self.rmt.write_pulses(self.durations[i], self.levels[i])  # waits for the playing chunk
        self.end_us = time.ticks_add(time.ticks_us(), self.chunk_us[i])
        self.ready = 1 - i if self._fill(1 - i) else -1

    def service(self):
        """Hand the waiting chunk to the RMT when the playing one is about to end."""
        if self.running and self.ready >= 0:
            if time.ticks_diff(self.end_us, time.ticks_us()) <= LEAD_US:
                self._play(self.ready)

    def steps_done(self):
        return self.counter.value()

    def moving(self):
        self.service()
        return self.running and self.counter.value() < self.total

    def stop(self):
        self.running = False
        self.ready = -1
        # Changing the loop count stops the transmission in progress (RMT.loop_count docs).
        self.rmt.loop_count(1)
        self.rmt.loop_count(0)
        self.total = self.counter.value()


class HALEsp32s3(common.BoardHAL):
    """firmware.hal.HAL on an ESP32-S3 board (see boards/esp32s3.py)."""

    def __init__(self, board, own_usb=False, watchdog_ms=0, data_folder="/data"):
        pins = board.pins
        self.step_clock_hz = hz = board.step_clock_hz
        dir_pins = (Pin(pins["plunger_dir"], Pin.OUT, value=0),
                    Pin(pins["carriage_dir"], Pin.OUT, value=0))
        axes = (RmtAxis(0, pins["plunger_step"], hz), RmtAxis(1, pins["carriage_step"], hz))
        common.BoardHAL.__init__(self, common.PinIO(pins, _pin_id), dir_pins, axes,
                                     own_usb, watchdog_ms, data_folder)

    def _service(self):
        self.axes[0].service()
        self.axes[1].service()

    def idle(self, deadline):
        common.idle(deadline, self.io, self._service)

    def move(self, axis, direction, segs, nseg):
        total = 0
        for i in range(nseg):
            total += segs[3 * i + 1]
        self.start_axis(axis, direction, segs, nseg, total)

    def feed_watchdog(self):
        self._service()
        common.BoardHAL.feed_watchdog(self)


def _pin_id(number):
    return number  # ESP32-S3 pins are GPIO numbers


# The port's HAL, the one name boot takes from it.
HAL = HALEsp32s3
