"""Small stand-ins for MicroPython's MCU modules (machine, rp2, esp32, pyb, micropython,
uctypes) that record what a port's HAL configures, so its boot runs under CPython.

Registers reached through viper's ptr32 read as 0 and keep what is written: enough for a
HAL to set up and idle, not to step a motor (the MicroPython tests and the PIO model do that).
"""

import types


class Log:
    """What the HAL configured, in order: (kind, args...) tuples."""

    def __init__(self):
        self.calls = []

    def add(self, *entry):
        self.calls.append(entry)

    def of(self, kind):
        return [c[1:] for c in self.calls if c[0] == kind]


class Regs:
    """A word window onto memory at an address: writes are kept, reads give 0."""

    def __init__(self, log, addr):
        self.log = log
        self.addr = addr

    def __getitem__(self, i):
        return 0

    def __setitem__(self, i, v):
        self.log.add("reg", self.addr + 4 * i, v)


def modules(log):
    """{name: module} of fakes sharing one log."""

    def ptr32(x):
        return Regs(log, x) if isinstance(x, int) else x  # an array is its own window

    class Pin:
        IN, OUT, OPEN_DRAIN = 0, 1, 2
        PULL_UP, PULL_DOWN = 1, 2
        IRQ_FALLING, IRQ_RISING = 4, 8

        def __init__(self, pin_id, mode=-1, pull=-1, value=None):
            self.pin_id = pin_id
            self.level = 0 if value is None else value
            log.add("pin", pin_id, mode, pull, value)

        def value(self, v=None):
            if v is None:
                return self.level
            self.level = v
            return None

        def irq(self, handler=None, trigger=0, hard=False):
            log.add("irq", self.pin_id, trigger, hard)

    class ADC:
        def __init__(self, pin):
            log.add("adc", pin.pin_id)

        def read_u16(self):
            return 0

    class WDT:
        def __init__(self, timeout=0):
            log.add("wdt", timeout)

        def feed(self):
            pass

    class Counter:
        RISING, FALLING = 1, 2

        def __init__(self, index, pin, edge=0):
            self.count = 0
            log.add("counter", index, pin.pin_id, edge)

        def value(self, v=None):
            if v is None:
                return self.count
            self.count = v
            return None

    machine = types.ModuleType("machine")
    machine.Pin, machine.ADC, machine.WDT, machine.Counter = Pin, ADC, WDT, Counter
    machine.freq = lambda: 125000000
    machine.unique_id = lambda: b"\xe6\x60\x58\x38\x83\x1a\x2b\x2f"

    micropython = types.ModuleType("micropython")
    micropython.const = lambda v: v
    micropython.viper = micropython.native = lambda f: f
    micropython.kbd_intr = lambda c: log.add("kbd_intr", c)
    micropython.ptr32 = ptr32  # the test puts it in builtins, where viper code finds it

    uctypes = types.ModuleType("uctypes")
    uctypes.addressof = lambda obj: 0x20000000 + (id(obj) & 0xFFFFFF) * 4

    class StateMachine:
        def __init__(self, sm_id, program, freq=0, set_base=None):
            log.add("state_machine", sm_id, freq, set_base.pin_id)

        def active(self, on):
            log.add("sm_active", on)

    class DMA:
        channels = [0]  # noqa: RUF012 - channels handed out so far, shared by all

        def __init__(self):
            self.channel = DMA.channels[0]
            DMA.channels[0] += 1
            log.add("dma", self.channel)

        def pack_ctrl(self, **kw):
            return sum(int(v) << i for i, v in enumerate(sorted(kw.values())))

        def config(self, **kw):
            pass

        def irq(self, handler=None, hard=False):
            log.add("dma_irq", self.channel, hard)

    rp2 = types.ModuleType("rp2")
    rp2.PIO = types.SimpleNamespace(OUT_LOW=0, OUT_HIGH=1, SHIFT_LEFT=0, SHIFT_RIGHT=1)
    rp2.StateMachine, rp2.DMA = StateMachine, DMA
    rp2.asm_pio = lambda **kw: (lambda f: ("pio_program", f.__name__, kw))

    class RMT:
        def __init__(self, index, pin=None, resolution_hz=0, idle_level=False):
            log.add("rmt", index, pin.pin_id, resolution_hz)

        def write_pulses(self, durations, levels):
            pass

        def loop_count(self, n):
            pass

    esp32 = types.ModuleType("esp32")
    esp32.RMT = RMT

    class Timer:
        PWM, PWM_INVERTED = 0, 1

        def __init__(self, tim_id, prescaler=0, period=0):
            self.tim_id = tim_id
            log.add("timer", tim_id, prescaler, period)

        def channel(self, n, mode, pin=None, pulse_width=0):
            log.add("timer_channel", self.tim_id, n, pin.pin_id, pulse_width)

        def callback(self, fn):
            log.add("timer_callback", self.tim_id)

    pyb = types.ModuleType("pyb")
    pyb.Timer, pyb.Pin = Timer, Pin

    return {"machine": machine, "micropython": micropython, "uctypes": uctypes, "rp2": rp2,
            "esp32": esp32, "pyb": pyb}
