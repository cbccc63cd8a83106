"""The MicroPython modules the rp2 step HAL imports, rebuilt over the emulated RP2040's bus.

The HAL's own files (see emu.RP2_MODULES) are imported unmodified with these in place of
micropython, rp2 and uctypes: viper's ptr32 reads and writes the emulated registers and SRAM,
rp2.StateMachine and rp2.DMA program the emulated PIO and DMA the way MicroPython's rp2 port
and the Pico SDK do (register by register), machine.Pin drives a GPIO through SIO.
What runs is the HAL's Python logic and its register sequences; MicroPython's own C code and
timing are not emulated.
"""

import importlib
import inspect
import sys
import types
from contextlib import contextmanager

from emu import pio_asm
from emu.harness import SRAM_START

PIO_BASE = (0x50200000, 0x50300000)
IO_BANK0 = 0x40014000
SIO_OUT_SET, SIO_OUT_CLR, SIO_OE_SET, SIO_OE_CLR = 0xD0000014, 0xD0000018, 0xD0000024, 0xD0000028
FUNC_SIO, FUNC_PIO0 = 5, 6
SET_ALIAS, CLR_ALIAS = 0x2000, 0x3000  # atomic set/clear aliases of a peripheral register
SYS_CLOCK_HZ = 125000000
MASK = 0xFFFFFFFF
# DMA CTRL fields (rp2.DMA.pack_ctrl names): (shift, width).
CTRL_FIELDS = {"enable": (0, 1), "high_pri": (1, 1), "size": (2, 2), "inc_read": (4, 1),
               "inc_write": (5, 1), "ring_size": (6, 4), "ring_sel": (10, 1),
               "chain_to": (11, 4), "treq_sel": (15, 6), "irq_quiet": (21, 1), "bswap": (22, 1),
               "sniff_en": (23, 1), "write_err": (29, 1), "read_err": (30, 1)}
# pack_ctrl's defaults: enabled, word transfers, both addresses incrementing, unpaced, quiet.
CTRL_DEFAULT = 1 | (2 << 2) | (1 << 4) | (1 << 5) | (0x3F << 15) | (1 << 21)


class Board:
    """One emulated chip seen from the HAL: its bus, SRAM allocations and DMA channels."""

    def __init__(self, em):
        self.em = em
        self.sram_next = SRAM_START + 0x1000
        self.addresses = {}  # id(buffer) -> (buffer, address)
        self.dma_claimed = set()
        self.pio_offsets = {}  # (id(program), pio) -> load offset
        self.pio_free = [0xFFFFFFFF, 0xFFFFFFFF]  # free instruction slots per block

    def addressof(self, buf):
        """An SRAM address for a buffer, its contents copied there on first use."""
        if id(buf) not in self.addresses:
            mv = memoryview(buf).cast("B")
            addr = self.sram_next
            self.sram_next += (len(mv) + 7) & ~3
            words = mv.tobytes() + bytes(-len(mv) % 4)
            for i in range(0, len(words), 4):
                self.em.write(addr + i, int.from_bytes(words[i:i + 4], "little"))
            self.addresses[id(buf)] = (buf, addr)
        return self.addresses[id(buf)][1]

    def set_bits(self, addr, bits):
        self.em.write(addr + SET_ALIAS, bits)

    def clear_bits(self, addr, bits):
        self.em.write(addr + CLR_ALIAS, bits)


def make_ptr32(board):
    class Ptr32:
        """viper's ptr32: 32-bit loads (zero-extended, as on a 64-bit port) and stores."""

        def __init__(self, target):
            if isinstance(target, int):
                self.addr, self.view = target & MASK, None
            else:
                self.addr, self.view = None, memoryview(target).cast("B").cast("I")

        def __getitem__(self, i):
            if self.view is not None:
                return self.view[i]
            return board.em.read(self.addr + 4 * i)

        def __setitem__(self, i, value):
            if self.view is not None:
                self.view[i] = value & MASK
            else:
                board.em.write(self.addr + 4 * i, value & MASK)

    return Ptr32


def make_micropython(ptr32):
    mod = types.ModuleType("micropython")
    mod.const = lambda x: x

    def viper(fn):
        # Viper turns an int or a buffer passed for a ptr32 argument into that pointer.
        params = [(name, p.annotation is ptr32) for name, p in
                  inspect.signature(fn).parameters.items()]

        def call(*args):
            return fn(*[ptr32(a) if is_ptr else a for a, (_, is_ptr) in zip(args, params)])
        call.__name__ = fn.__name__
        return call

    mod.viper = viper
    mod.native = lambda fn: fn
    return mod


def make_uctypes(board):
    mod = types.ModuleType("uctypes")
    mod.addressof = board.addressof
    return mod


def make_machine(board):
    mod = types.ModuleType("machine")

    class Pin:
        IN, OUT = 0, 1

        def __init__(self, pin_id, mode=IN, value=None):
            self.id = pin_id
            em = board.em
            em.write(SIO_OE_CLR, 1 << pin_id)  # gpio_init: input, low, function SIO
            em.write(SIO_OUT_CLR, 1 << pin_id)
            em.write(IO_BANK0 + 8 * pin_id + 4, FUNC_SIO)
            if value is not None:
                self.value(value)
            if mode == Pin.OUT:
                em.write(SIO_OE_SET, 1 << pin_id)

        def value(self, v):
            board.em.write(SIO_OUT_SET if v else SIO_OUT_CLR, 1 << self.id)

    mod.Pin = Pin
    mod.freq = lambda: SYS_CLOCK_HZ
    return mod


def make_rp2(board):
    mod = types.ModuleType("rp2")

    class PIO:
        IN_LOW, IN_HIGH, OUT_LOW, OUT_HIGH = 0, 1, 2, 3
        SHIFT_LEFT, SHIFT_RIGHT = 0, 1

    def asm_pio(set_init=None, out_shiftdir=0, **kw):
        if kw:
            raise TypeError("asm_pio options not modelled: %s" % sorted(kw))

        def build(fn):
            prog = pio_asm.new_program()
            env = dict(fn.__globals__)
            env.update(pio_asm.dsl(prog))
            types.FunctionType(fn.__code__, env)()
            if prog["wrap"] is None:
                prog["wrap"] = len(prog["code"]) - 1
            prog["set_init"] = set_init
            prog["shiftctrl"] = out_shiftdir << 19  # thresholds 32 (field 0), no autopull
            return prog
        return build

    class StateMachine:
        def __init__(self, sm_id, prog, freq, set_base):
            self.pio, self.sm = sm_id // 4, sm_id % 4
            base = PIO_BASE[self.pio]
            self.base = base
            smb = base + 0xC8 + 0x18 * self.sm
            offset = self._load(prog)
            div = SYS_CLOCK_HZ * 256 // freq  # rounds as the port does for exact ratios
            em = board.em
            # pio_sm_init: disable, default config, clear FIFOs, restart, jump to the start.
            board.clear_bits(base, 1 << self.sm)
            em.write(smb + 0x00, 1 << 16)
            em.write(smb + 0x04, 0x1F << 12)
            em.write(smb + 0x08, 3 << 18)
            em.write(smb + 0x14, 0)
            shift = em.read(smb + 0x08)
            em.write(smb + 0x08, shift ^ (1 << 31))
            em.write(smb + 0x08, shift)
            em.write(base + 0x008, (0x01010101 << self.sm) & MASK)  # FDEBUG: clear the flags
            board.set_bits(base, (1 << (4 + self.sm)) | (1 << (8 + self.sm)))
            em.write(smb + 0x10, offset)  # jmp offset
            # pio_sm_set_config: the program's wrap and shift settings, the set pin.
            em.write(smb + 0x00, (div >> 8) << 16 | (div & 0xFF) << 8)
            wrap_top, wrap_bottom = prog["wrap"] + offset, prog["wrap_target"] + offset
            em.write(smb + 0x04, (wrap_top << 12) | (wrap_bottom << 7))
            em.write(smb + 0x08, prog["shiftctrl"])
            pin = set_base.id
            pinctrl = (1 << 26) | (pin << 5)  # SET_COUNT 1, SET_BASE pin
            em.write(smb + 0x14, pinctrl)
            if prog["set_init"] is not None:  # set pins then set pindirs, run from SMx_INSTR
                level, direction = prog["set_init"] & 1, prog["set_init"] >> 1
                em.write(smb + 0x10, 0xE000 | level)
                em.write(smb + 0x10, 0xE080 | direction)
            em.write(IO_BANK0 + 8 * pin + 4, FUNC_PIO0 + self.pio)

        def _load(self, prog):
            # The SDK places a program at the highest free offset that fits.
            key = (id(prog), self.pio)
            if key not in board.pio_offsets:
                n = len(prog["code"])
                free = board.pio_free[self.pio]
                offset = next(o for o in range(32 - n, -1, -1)
                              if (free >> o) & ((1 << n) - 1) == (1 << n) - 1)
                for i, word in enumerate(pio_asm.encode(prog, offset)):
                    board.em.write(self.base + 0x48 + 4 * (offset + i), word)
                board.pio_free[self.pio] &= ~(((1 << n) - 1) << offset)
                board.pio_offsets[key] = offset
            return board.pio_offsets[key]

        def active(self, on):
            (board.set_bits if on else board.clear_bits)(self.base, 1 << self.sm)

    class DMA:
        def __init__(self):
            self.channel = min(set(range(12)) - board.dma_claimed)
            board.dma_claimed.add(self.channel)
            self.regs = 0x50000000 + 0x40 * self.channel

        def pack_ctrl(self, **fields):
            value = CTRL_DEFAULT | (self.channel << 11)
            for name, v in fields.items():
                shift, width = CTRL_FIELDS[name]
                if int(v) >> width:
                    raise ValueError("bad field value")
                value = (value & ~(((1 << width) - 1) << shift)) | (int(v) << shift)
            return value

        def config(self, read=None, write=None, count=None, ctrl=None, trigger=False):
            # Plain registers, or the trigger alias of the last one given.
            given = [(off, trig, v) for off, trig, v in
                     ((0x00, 0x3C, read), (0x04, 0x2C, write), (0x08, 0x1C, count),
                      (0x10, 0x0C, ctrl)) if v is not None]
            for i, (off, trig, v) in enumerate(given):
                if not isinstance(v, int):
                    v = board.addressof(v)
                last = trigger and i == len(given) - 1
                board.em.write(self.regs + (trig if last else off), v)

        def irq(self, handler, hard=False):
            board.em.on_dma_irq(self.channel, lambda ch: handler(self))
            board.set_bits(0x50000404, 1 << self.channel)  # INTE0

    mod.PIO = PIO
    mod.asm_pio = asm_pio
    mod.StateMachine = StateMachine
    mod.DMA = DMA
    return mod


@contextmanager
def _modules(mods):
    """sys.modules as the HAL sees it on the board; every change undone afterwards."""
    saved = dict(sys.modules)
    parents = {}
    sys.modules.update(mods)
    try:
        yield
    finally:
        for name in list(sys.modules):
            if name not in saved:
                parent, _, child = name.rpartition(".")
                if parent in saved:
                    parents[(parent, child)] = None
                del sys.modules[name]
        sys.modules.update(saved)
        for parent, child in parents:
            if hasattr(sys.modules[parent], child):
                delattr(sys.modules[parent], child)


def load(em, module_name):
    """Import a firmware module afresh against emulator em, with what it imports.

    Returns ({module name: module} of everything imported, the Board, the machine shim)."""
    board = Board(em)
    ptr32 = make_ptr32(board)
    mods = {"micropython": make_micropython(ptr32), "rp2": make_rp2(board),
            "uctypes": make_uctypes(board), "machine": make_machine(board)}
    import builtins

    builtins.ptr32 = ptr32  # viper's annotations name ptr32 when the module is defined
    try:
        with _modules(mods):
            before = set(sys.modules)
            importlib.import_module(module_name)
            loaded = {n: sys.modules[n] for n in sys.modules if n not in before}
    finally:
        del builtins.ptr32
    for m in loaded.values():
        m.ptr32 = ptr32  # viper code calls ptr32(address) at run time
    return loaded, board, mods["machine"]
