"""The Python side of the emulated RP2040: a node process running rp2040js, driven over pipes.

    with Emulator(watch=(2, 3)) as em:
        em.write(0x50200000, 1)
        em.run(10000)
        em.edges()  # [(pin, level, cycle), ...]

Register reads and writes go over the emulated bus (each first lets cpu_cycles pass); SRAM
writes are batched until the next bus access. The DMA IRQ 0 handlers registered through
on_dma_irq() run when its status rises, the way MicroPython's rp2 DMA handler dispatches
them, unless IRQs are masked (mask_irqs_until) as a late refill would be.
"""

import json
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "rp2040_bus.mjs")
PATCHES = ("clocked_pio", "sm_enable", "dma_readback", "fjoin_flush")
SRAM_START = 0x20000000
SRAM_END = 0x20042000
DMA_BASE = 0x50000000
DMA_INTS0 = DMA_BASE + 0x40C
# A register read this many times in a row with the same value, nothing written between:
# the code polling it would wait for ever on this emulator.
SPIN_LIMIT = 5000


class EmuError(RuntimeError):
    """The emulator could not start or answered with an error."""


class EmuHang(EmuError):
    """Code polling a register would spin for ever (the value never changes)."""


def node_command():
    node = shutil.which("node")
    if node is None:
        raise EmuError("node is not on PATH: the emulated RP2040 needs Node.js (make test "
                       "installs rp2040js with npm ci)")
    if not os.path.isdir(os.path.join(HERE, "node_modules", "rp2040js")):
        raise EmuError("rp2040js is not installed in emu/node_modules: run `make test` or "
                       "`cd emu && npm ci`")
    return [node, SCRIPT]


class Emulator:
    def __init__(self, watch=(), patches=PATCHES, cpu_cycles=4):
        self.proc = subprocess.Popen(node_command(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)
        self.cycle = 0
        self.pending = {}  # SRAM address -> word, not yet written
        self.handlers = {}  # DMA channel -> handler(channel)
        self.irq_mask_until = 0
        self.recorded = []
        self._spin = (None, None, 0)
        self.patches = tuple(patches)
        self._call(op="init", patches=list(patches), watch=list(watch), cpu_cycles=cpu_cycles)

    # -- transport ---------------------------------------------------------------------
    def _call(self, **req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        line = self.proc.stdout.readline()
        if not line:
            raise EmuError("the emulator process ended (exit %s)" % self.proc.poll())
        answer = json.loads(line)
        if not answer.pop("ok"):
            raise EmuError("emulator: %s" % answer["error"])
        self.cycle = answer.get("cycle", self.cycle)
        return answer

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- bus ---------------------------------------------------------------------------
    def _flush(self):
        if not self.pending:
            return
        addrs = sorted(self.pending)
        start = prev = addrs[0]
        run = [self.pending[start]]
        for a in addrs[1:]:
            if a == prev + 4:
                run.append(self.pending[a])
            else:
                self._call(op="sram", addr=start, words=run)
                start, run = a, [self.pending[a]]
            prev = a
        self._call(op="sram", addr=start, words=run)
        self.pending = {}

    def read(self, addr):
        self._flush()
        value = self._call(op="read", addr=addr)["value"]
        last_addr, last_value, n = self._spin
        n = n + 1 if (addr, value) == (last_addr, last_value) else 1
        if n > SPIN_LIMIT:
            raise EmuHang("register 0x%08x read %d times in a row as 0x%08x: the code "
                          "waiting on it would spin for ever" % (addr, n - 1, value))
        self._spin = (addr, value, n)
        return value

    def write(self, addr, value):
        self._spin = (None, None, 0)
        if SRAM_START <= addr < SRAM_END:
            self.pending[addr] = value & 0xFFFFFFFF
            return
        self._flush()
        self._call(op="write", addr=addr, value=value & 0xFFFFFFFF)

    # -- time and interrupts -----------------------------------------------------------
    def on_dma_irq(self, channel, handler):
        self.handlers[channel] = handler

    def mask_irqs_until(self, cycle):
        """Hold off the DMA IRQ handlers until cycle (a critical section, a slow handler)."""
        self.irq_mask_until = cycle

    def run(self, cycles):
        """Let cycles system cycles pass, running the DMA IRQ handlers as they fall due."""
        self._flush()
        end = self.cycle + cycles
        while self.cycle < end:
            masked = self.cycle < self.irq_mask_until
            stop = min(end, self.irq_mask_until) if masked else end
            answer = self._call(op="run", cycles=stop - self.cycle,
                                stop_on_irq=bool(self.handlers) and not masked)
            if answer["ints0"] and self.handlers and self.cycle >= self.irq_mask_until:
                self._dispatch()

    def _dispatch(self):
        # As MicroPython's DMA IRQ 0 handler: read INTS0, acknowledge and call each handled bit.
        bits = self.read(DMA_INTS0)
        for ch in range(12):
            if bits & (1 << ch) and ch in self.handlers:
                self.write(DMA_INTS0, 1 << ch)
                self.handlers[ch](ch)
        self._flush()

    def edges(self):
        """Every recorded GPIO edge so far: (pin, level, cycle), in order."""
        self._flush()
        self.recorded.extend(tuple(e) for e in self._call(op="edges")["edges"])
        return list(self.recorded)
