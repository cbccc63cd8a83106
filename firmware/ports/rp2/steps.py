"""RP2040 step generation: one PIO state machine per axis, fed by DMA from a two-half ring.

Words (words.py) flow: ring half A or B --DMA--> PIO TX FIFO --> step pulses. Two DMA
channels take turns on the halves, each chaining to the other only once the other is armed
with fresh words, so a late refill stalls the PIO (steps late) and never replays old words.
The refill runs in the DMA-done hard IRQ (viper, allocation-free), so GC pauses in the main
loop do not starve the PIO; a half holds HALF_WORDS words, several ms of steps at the
fastest ramp. The PIO pushes a token per step into its RX FIFO; a third DMA channel drains
it, and its falling transfer count is the step counter.
"""

import micropython
import rp2
import uctypes
from array import array
from micropython import const

from firmware.ports.rp2 import words

try:
    from typing_extensions import TYPE_CHECKING  # type: ignore
except ImportError:
    TYPE_CHECKING = False
if TYPE_CHECKING:
    from rp2.asm_pio import *  # noqa: F403 - names of the PIO assembler DSL

HALF_WORDS = const(512)
_COUNT_START = const(1 << 28)  # step counter start; stays a small int
_DREQ_PIO_TX = const(0)  # DREQ of PIO0 SM0 TX; + 4 for RX, + 8 for PIO1
_PULSE_HIGH = const(15)  # extra cycles the step pin stays high: 16 cycles = 128 ns


@rp2.asm_pio(set_init=rp2.PIO.OUT_LOW, out_shiftdir=rp2.PIO.SHIFT_RIGHT)
def step_program():
    # Every step costs the same 8 + _PULSE_HIGH cycles plus its delay: the first step of a
    # word spends 2 cycles on pull/out, the others 2 on the jump back (words.OVERHEAD_TICKS).
    wrap_target()
    pull(block)
    out(x, 7)  # count - 1; the OSR keeps the delay
    label("step")
    mov(y, osr)
    label("wait")
    jmp(y_dec, "wait")
    set(pins, 1)[_PULSE_HIGH]
    set(pins, 0)
    push(noblock)  # one token per step, for the step counter
    jmp(x_dec, "again")
    wrap()
    label("again")
    jmp("step")[1]


# Register access in viper: addresses above 2**30 would be big ints (allocation) in Python.
# A base is built by a run-time shift: a folded constant that large would be an object.
@micropython.viper
def _dma_arm(ch: int, read: int, count: int, ctrl: int):
    """Load a DMA channel's read address, count and control without starting it."""
    dma = 0x5000
    dma <<= 16
    regs = ptr32(dma + ch * 0x40)
    regs[0] = read
    regs[2] = count
    regs[4] = ctrl  # AL1_CTRL: no trigger


@micropython.viper
def _dma_set_ctrl(ch: int, ctrl: int):
    dma = 0x5000
    dma <<= 16
    ptr32(dma + ch * 0x40)[4] = ctrl


@micropython.viper
def _dma_set_count(ch: int, count: int):
    dma = 0x5000
    dma <<= 16
    ptr32(dma + ch * 0x40)[2] = count  # the count the next trigger starts from


@micropython.viper
def _dma_trigger(mask: int):
    dma = 0x5000
    dma <<= 16
    ptr32(dma + 0x430)[0] = mask  # MULTI_CHAN_TRIGGER


@micropython.viper
def _dma_abort(mask: int):
    dma = 0x5000
    dma <<= 16
    reg = ptr32(dma + 0x444)  # CHAN_ABORT
    reg[0] = mask
    while reg[0] & mask:
        pass


@micropython.viper
def _dma_busy(ch: int) -> int:
    dma = 0x5000
    dma <<= 16
    return (ptr32(dma + ch * 0x40)[3] >> 24) & 1


@micropython.viper
def _dma_reg(ch: int, index: int) -> int:
    """A DMA register that holds a small value: READ_ADDR (0, SRAM) or TRANS_COUNT (2)."""
    dma = 0x5000
    dma <<= 16
    return int(ptr32(dma + ch * 0x40)[index])


@micropython.viper
def _pio_halt(pio: int, sm: int, start_pc: int):
    """Stop a state machine, flush its FIFOs, put it back at start_pc with the pin low."""
    addr = 0x5020 + pio * 0x10
    addr <<= 16
    base = ptr32(addr)
    base[0] = base[0] & (0xF ^ (1 << sm))  # CTRL: clear SM_ENABLE
    # Let the counter DMA take the last step tokens before the flush (FSTAT.RXEMPTY).
    spins = 0
    while not ((base[1] >> (8 + sm)) & 1) and spins < 1000:
        spins += 1
    shift = 0xD0 // 4 + sm * 6  # SMx_SHIFTCTRL
    fjoin_rx = 1
    fjoin_rx <<= 31
    base[shift] = base[shift] ^ fjoin_rx  # toggling FJOIN_RX flushes both FIFOs
    base[shift] = base[shift] ^ fjoin_rx
    base[0] = base[0] | (1 << (sm + 4))  # SM_RESTART: clear OSR, ISR, delay counters
    base[0xD8 // 4 + sm * 6] = 0xE000  # SMx_INSTR: set(pins, 0)
    base[0xD8 // 4 + sm * 6] = start_pc  # SMx_INSTR: jmp(start_pc)
    base[0] = base[0] | (1 << sm)  # SM_ENABLE: wait at pull for the next move


class StepChannel:
    """Step pulses for one axis: a PIO state machine, two ring DMAs and a counter DMA."""

    def __init__(self, sm_id, step_pin, step_clock_hz):
        self.sm = rp2.StateMachine(sm_id, step_program, freq=step_clock_hz, set_base=step_pin)
        # step_pin is a machine.Pin set up as an output by the caller.
        self.pio = sm_id // 4
        self.sm_index = sm_id % 4
        self.start_pc = _pio_start_pc(self.pio, self.sm_index)
        self.ring = array("I", [0] * (2 * HALF_WORDS))
        self.ring_addr = uctypes.addressof(self.ring)
        self.sink = array("I", [0])  # where the counter DMA drops the step tokens
        self.st = array("i", [0] * words.ST_WORDS)
        self.segs = self.st  # the move's segments; replaced by move()
        self.dma = (rp2.DMA(), rp2.DMA(), rp2.DMA())
        self.ch = [_channel(d) for d in self.dma]
        dreq = _DREQ_PIO_TX + 8 * self.pio + self.sm_index
        pio_base = 0x50200000 + 0x100000 * self.pio
        txf = pio_base + 0x10 + 4 * self.sm_index
        rxf = pio_base + 0x20 + 4 * self.sm_index
        # ctrl[h][chain]: ring channel h, idle after its chunk (0) or chaining to the other (1).
        self.ctrl = [[0, 0], [0, 0]]
        for h in (0, 1):
            d = self.dma[h]
            for chain in (0, 1):
                self.ctrl[h][chain] = d.pack_ctrl(
                    size=2, inc_read=True, inc_write=False, treq_sel=dreq, irq_quiet=False,
                    chain_to=self.ch[1 - h] if chain else self.ch[h])
            d.config(write=txf, count=0, ctrl=self.ctrl[h][0])
            d.irq(self._chunk_done, hard=True)
        self.count_ctrl = self.dma[2].pack_ctrl(
            size=2, inc_read=False, inc_write=False, treq_sel=dreq + 4)
        self.dma[2].config(read=rxf, write=self.sink, count=0, ctrl=self.count_ctrl)
        _dma_set_count(self.ch[2], _COUNT_START)
        _dma_trigger(1 << self.ch[2])
        self.total = 0
        self.running = False
        self.sm.active(1)

    def start(self, segs, nseg, total):
        """Begin a move of total steps (the channel is idle); allocates nothing."""
        self.running = False  # until armed, a stray IRQ leaves the ring alone
        self.segs = segs
        self.total = total
        words.start(self.st, nseg)
        ch = self.ch
        _dma_abort(1 << ch[2])
        _dma_set_count(ch[2], _COUNT_START)
        _dma_trigger(1 << ch[2])
        n0 = self._fill(0)
        n1 = self._fill(1)
        self.running = True
        _dma_arm(ch[1], self.ring_addr + 4 * HALF_WORDS, n1, self.ctrl[1][0])
        _dma_arm(ch[0], self.ring_addr, n0, self.ctrl[0][1 if n1 else 0])
        if n0:
            _dma_trigger(1 << ch[0])

    def _fill(self, h):
        """Expand the move's next words into ring half h; return how many (0: all sent)."""
        addr = self.ring_addr + 4 * HALF_WORDS * h
        # Viper turns an array or an address into the ptr32 it declares.
        return words.fill(self.segs, self.st, addr, HALF_WORDS)  # pyright: ignore[reportArgumentType]

    def _chunk_done(self, dma):
        # Hard IRQ: ring channel h finished its half; refill it and queue it behind the other.
        if not self.running:
            return  # an abort can raise a spurious completion
        h = 0 if dma is self.dma[0] else 1
        half_addr = self.ring_addr + 4 * HALF_WORDS * h
        me = self.ch[h]
        if _dma_busy(me) or _dma_reg(me, 0) == half_addr:
            return  # not a finished chunk: a stale IRQ from before the last stop()
        n = self._fill(h)
        if n == 0:
            return
        other = self.ch[1 - h]
        _dma_arm(me, half_addr, n, self.ctrl[h][0])
        _dma_set_ctrl(other, self.ctrl[1 - h][1])
        # If the other half ran out before it could chain to us, start us by hand.
        if not _dma_busy(other) and not _dma_busy(me) and _dma_reg(me, 0) == half_addr:
            _dma_trigger(1 << me)

    def steps_done(self):
        return _COUNT_START - _dma_reg(self.ch[2], 2)

    def moving(self):
        return self.running and self.steps_done() < self.total

    def stop(self):
        """Stop pulses now, drop what is queued; steps_done() keeps the count. No allocation."""
        self.running = False
        # The ring DMA goes first: halted before it, the state machine's flushed TX FIFO
        # would be refilled by the DMA and its words stepped once the machine is re-enabled.
        ch = self.ch
        _dma_set_ctrl(ch[0], 0)
        _dma_set_ctrl(ch[1], 0)
        _dma_abort((1 << ch[0]) | (1 << ch[1]))
        _pio_halt(self.pio, self.sm_index, self.start_pc)
        self.total = self.steps_done()


def _channel(dma):
    # rp2.DMA has a `channel` attribute that its type stubs do not list.
    return getattr(dma, "channel")


@micropython.viper
def _pio_start_pc(pio: int, sm: int) -> int:
    """The state machine's wrap target, where step_program starts (EXECCTRL.WRAP_BOTTOM)."""
    addr = 0x5020 + pio * 0x10
    addr <<= 16
    base = ptr32(addr)
    return int((base[0xCC // 4 + sm * 6] >> 7) & 0x1F)
