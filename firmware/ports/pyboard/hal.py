"""The HAL on a Pyboard v1.1 (STM32F405): timer-timed steps, pins, watchdog, files, USB.

No PIO here: each step pin is a 32-bit timer's PWM output (plunger TIM2_CH1 on PA5, carriage
TIM5_CH3 on PA2) counting the 84 MHz step clock. In PWM mode 2 with preloaded period and
compare, every period ends in a step pulse, so the hardware times each edge exactly; the
update interrupt (hard, viper, allocation-free) counts the step and preloads the period
after next (steps.next_interval). One interrupt per step caps the step rate:
boards/pyboard.py keeps speeds under ~26 000 steps/s.
"""

from array import array

import micropython
import pyb
from machine import Pin

from firmware.ports import common
from firmware.ports.pyboard import steps

PULSE_TICKS = 168  # 2 µs high at 84 MHz
# Timer config words in an array('i'), shared with the viper routines below.
_C_BASE = 0  # register block, offset from 0x40000000
_C_CCR = 1  # word index of the channel's CCR
_C_CCMR = 2  # word index of its CCMR
_C_SHIFT = 3  # bit position of its OCxM field
_C_DONE = 5  # steps counted
_C_CUR = 6  # the running period ends with a pulse
_C_NEXT = 7  # the preloaded period ends with a pulse
_C_CUR_CCR = 8  # compare value of the running period
_C_NEXT_CCR = 9
_C_WORDS = 10
# (timer, channel, pin, register offset) per axis.
_TIMERS = ((2, 1, "A5", 0x000), (5, 3, "A2", 0xC00))


@micropython.viper
def _preload(regs: ptr32, cfg: ptr32, interval: int):
    """Queue the period after the running one: a step after interval ticks, or an idle gap."""
    cfg[6] = cfg[7]
    cfg[8] = cfg[9]
    if interval > 0:
        regs[11] = interval - 1  # ARR
        regs[cfg[1]] = interval - 168  # pulse in the last PULSE_TICKS of the period
        cfg[9] = interval - 168
        cfg[7] = 1
    else:
        regs[11] = 999
        regs[cfg[1]] = -1  # compare never reached: no pulse
        cfg[9] = -1
        cfg[7] = 0


@micropython.viper
def _on_update(cfg: ptr32, st: ptr32, segs: ptr32):
    """Update interrupt: a period just ended; count its step, preload the one after next."""
    base = 0x4000
    base <<= 16
    regs = ptr32(base + cfg[0])
    if cfg[6]:
        cfg[5] = cfg[5] + 1
    _preload(regs, cfg, int(steps.next_interval(segs, st)))
    if not cfg[6] and not cfg[7]:
        regs[3] = regs[3] & ~1  # DIER.UIE off
        regs[0] = regs[0] & ~1  # CR1.CEN off: the move is over


@micropython.viper
def _start(cfg: ptr32, st: ptr32, segs: ptr32):
    base = 0x4000
    base <<= 16
    regs = ptr32(base + cfg[0])
    regs[0] = regs[0] & ~1
    regs[3] = regs[3] & ~1
    cfg[5] = 0
    cfg[7] = 0
    first = int(steps.next_interval(segs, st))
    if first == 0:
        return
    # The first period is one pulse longer, so that its pulse starts at `first`.
    _preload(regs, cfg, first + 168)
    regs[cfg[1]] = first
    cfg[9] = first
    shift = cfg[3]
    ccmr = regs[cfg[2]] & ~(7 << shift)
    regs[cfg[2]] = ccmr | (7 << shift)  # OCxM = PWM mode 2
    regs[9] = 0  # CNT
    regs[5] = 1  # EGR.UG: load period 1 into the shadow registers
    regs[4] = ~1  # clear SR.UIF raised by UG
    _preload(regs, cfg, int(steps.next_interval(segs, st)))
    regs[3] = regs[3] | 1  # DIER.UIE
    regs[0] = regs[0] | 1 | (1 << 7)  # CR1.CEN, ARPE


@micropython.viper
def _halt(cfg: ptr32):
    base = 0x4000
    base <<= 16
    regs = ptr32(base + cfg[0])
    regs[0] = regs[0] & ~1
    regs[3] = regs[3] & ~1
    shift = cfg[3]
    ccmr = regs[cfg[2]] & ~(7 << shift)
    regs[cfg[2]] = ccmr | (4 << shift)  # OCxM = force inactive: the pin goes low now
    if cfg[6] and int(regs[9]) >= cfg[8]:
        cfg[5] = cfg[5] + 1  # stopped inside a pulse: that step was made
    cfg[6] = 0
    cfg[7] = 0


class TimerAxis:
    """One axis: a 32-bit timer whose PWM output is the step pin."""

    def __init__(self, index):
        tim_id, channel, pin, offset = _TIMERS[index]
        self.tim = pyb.Timer(tim_id, prescaler=0, period=0xFFFF)
        self.tim.channel(channel, pyb.Timer.PWM_INVERTED, pin=pyb.Pin(pin),
                         pulse_width=PULSE_TICKS)
        ccmr = 0x18 // 4 if channel <= 2 else 0x1C // 4
        shift = 4 if channel % 2 else 12
        self.cfg = array("i", [offset, 0x34 // 4 + channel - 1, ccmr, shift] + [0] * 6)
        self.st = array("i", [0] * steps.ST_WORDS)
        self.segs = self.st
        self.total = 0
        # Viper turns arrays into the ptr32 it declares: pyright cannot know (ignores below).
        _halt(self.cfg)  # pyright: ignore[reportArgumentType]
        self.tim.callback(self._update)

    def _update(self, tim):
        _on_update(self.cfg, self.st, self.segs)  # pyright: ignore[reportArgumentType]

    def start(self, segs, nseg, total):
        self.segs = segs
        self.total = total
        steps.start(self.st, nseg)
        _start(self.cfg, self.st, segs)  # pyright: ignore[reportArgumentType]

    def steps_done(self):
        return self.cfg[_C_DONE]

    def moving(self):
        return self.cfg[_C_DONE] < self.total and (self.cfg[_C_CUR] or self.cfg[_C_NEXT])

    def stop(self):
        _halt(self.cfg)  # pyright: ignore[reportArgumentType]
        self.total = self.cfg[_C_DONE]


class HALPyboard(common.BoardHAL):
    """firmware.hal.HAL on a Pyboard v1.1 (see boards/pyboard.py)."""

    def __init__(self, board, own_usb=False, watchdog_ms=0, data_folder="/flash/data"):
        pins = board.pins
        self.step_clock_hz = board.step_clock_hz
        dir_pins = (Pin(_pin_id(pins["plunger_dir"]), Pin.OUT, value=0),
                    Pin(_pin_id(pins["carriage_dir"]), Pin.OUT, value=0))
        common.BoardHAL.__init__(self, common.PinIO(pins, _pin_id), dir_pins,
                                     (TimerAxis(0), TimerAxis(1)), own_usb, watchdog_ms,
                                     data_folder)

    def idle(self, deadline):
        common.idle(deadline, self.io)

    def move(self, axis, direction, segs, nseg):
        total = 0
        for i in range(nseg):
            if segs[3 * i] + segs[3 * i + 2] * (segs[3 * i + 1] - 1) <= PULSE_TICKS:
                raise ValueError("step interval shorter than the step pulse")
            total += segs[3 * i + 1]
        self.start_axis(axis, direction, segs, nseg, total)


def _pin_id(number):
    """boards/pyboard.py pin number (port * 16 + index) as the CPU pin name, e.g. 5 -> "A5"."""
    return "ABCDEFGHI"[number >> 4] + str(number & 15)


# The port's HAL, the one name boot takes from it.
HAL = HALPyboard
