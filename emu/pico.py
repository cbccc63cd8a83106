"""The Pico's two step axes on the emulated RP2040, set up and moved as the rp2 HAL does.

    with PicoSteps() as pico:
        pico.move(0, +1, segs, nseg)
        pico.run_until_idle()
        pico.rises(0)  # cycles of the plunger's step edges

The HAL's StepChannel (PIO program, DMA ring, refill IRQ, step counter, stop) runs unmodified
from its own file; this module does only what the rp2 port's HAL (firmware/ports/rp2/hal.py) does around it: one state
machine per axis on PIO0, the board's pins, DIR set before a move starts.
"""

import emu
from emu import shims
from emu.harness import PATCHES, Emulator
from firmware import board as boards

AXES = ("plunger", "carriage")
SM_OF_AXIS = (0, 1)  # as the rp2 port HAL's _SM_OF_AXIS


class PicoSteps:
    def __init__(self, patches=PATCHES, board_name="pico", step_clock_hz=None):
        """step_clock_hz: the state machines' clock, if not the board's (CLKDIV != 1)."""
        self.board = boards.by_name(board_name)
        self.step_clock_hz = step_clock_hz or self.board.step_clock_hz
        pins = self.board.pins
        self.step_pins = [pins[a + "_step"] for a in AXES]
        self.dir_pins_n = [pins[a + "_dir"] for a in AXES]
        self.em = Emulator(watch=self.step_pins + self.dir_pins_n, patches=patches)
        try:
            loaded, self.chip, machine = shims.load(self.em, emu.rp2_module("steps"))
            self.steps = loaded[emu.rp2_module("steps")]
            self.words = loaded[emu.rp2_module("words")]
            Pin = machine.Pin
            self.dir_pins = [Pin(n, Pin.OUT, value=0) for n in self.dir_pins_n]
            self.axes = [self.steps.StepChannel(sm, Pin(n, Pin.OUT, value=0),
                                                self.step_clock_hz)
                         for sm, n in zip(SM_OF_AXIS, self.step_pins)]
        except BaseException:
            self.em.close()
            raise

    def close(self):
        self.em.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def axis_board(self, axis):
        return getattr(self.board, AXES[axis])

    # -- what HALRp2.move and BoardHAL.start_axis do ---------------------------------------
    def move(self, axis, direction, segs, nseg):
        total = self.words.checked_steps(segs, nseg)
        if total < 0:
            raise ValueError("step interval outside what the PIO can time")
        self.dir_pins[axis].value(1 if direction > 0 else 0)
        self.axes[axis].start(segs, nseg, total)
        return total

    def stop(self, axis):
        self.axes[axis].stop()

    def steps_done(self, axis):
        return self.axes[axis].steps_done()

    def moving(self, axis):
        return self.axes[axis].moving()

    # -- time ------------------------------------------------------------------------------
    def run(self, cycles):
        self.em.run(cycles)

    def run_until_idle(self, max_cycles=10 ** 9, chunk=200000):
        """Run until no axis is moving; returns the cycle it stopped at."""
        end = self.em.cycle + max_cycles
        while any(self.moving(a) for a in range(len(self.axes))):
            if self.em.cycle >= end:
                raise TimeoutError("axes still moving after %d cycles" % max_cycles)
            self.em.run(chunk)
        return self.em.cycle

    # -- what the pins showed ------------------------------------------------------------
    def _edges(self, pin, level):
        return [c for p, v, c in self.em.edges() if p == pin and v == level]

    def rises(self, axis):
        return self._edges(self.step_pins[axis], 1)

    def pulses(self, axis):
        """(rise, fall) cycles of every step pulse; a pulse still high has fall None."""
        out = []
        for pin, level, c in self.em.edges():
            if pin != self.step_pins[axis]:
                continue
            if level:
                out.append([c, None])
            elif out and out[-1][1] is None:
                out[-1][1] = c
        return [tuple(p) for p in out]

    def dir_edges(self, axis):
        return [(v, c) for p, v, c in self.em.edges() if p == self.dir_pins_n[axis]]
