"""The simulated MCU's time: the wrapping µs tick counter, garbage-collection pauses and
the time the firmware's own code takes.

Simulated time (env.now) counts step-clock ticks as integers, so every step lands exactly
where its segment puts it. The main-loop clock is derived from it, starts at an offset
chosen so that it wraps mid-session, and wraps at the board's tick period. GC pauses are
drawn ahead, in time order, from their own stream; a fault can add a storm of them.
Compute charges each poll and the planner's work (counted by firmware/motion.py) in
RP2040 cycles, so slow code makes late cues and slow bursts (docs/SIMULATION.md).
"""

import bisect


class Clock:
    def __init__(self, env, board, params):
        self.env = env
        self.hz = board.step_clock_hz
        self.period = board.tick_period
        wrap_us = int(params["clock_wrap_after_s"] * 1e6)
        self.offset_us = (self.period - wrap_us) % self.period

    def ticks_us(self, now=None):
        t = self.env.now if now is None else now
        return (self.offset_us + t * 1000000 // self.hz) % self.period

    def s(self, now=None):
        """Simulated seconds since the start."""
        return (self.env.now if now is None else now) / self.hz

    def from_us(self, us):
        """A span in µs as step-clock ticks (rounded up: never early)."""
        return -(-us * self.hz // 1000000)

    def from_s(self, s):
        return round(s * self.hz)


class GcPauses:
    """Pauses of the interpreter, generated lazily in time order (ticks of the step clock)."""

    def __init__(self, clock, params, stream):
        self.clock = clock
        self.g = stream
        self.every = params["gc_every_s"]
        self.mean_ms = params["gc_pause_ms"]
        self.starts = []
        self.ends = []
        self.storms = []  # (t0, t1) in ticks: pauses ten times as often, twice as long
        self.horizon = 0

    def add_storm(self, t0, t1):
        self.storms.append((t0, t1))

    def _storm(self, t):
        for a, b in self.storms:
            if a <= t < b:
                return True
        return False

    def _grow(self, until):
        c = self.clock
        while self.horizon <= until:
            storm = self._storm(self.horizon)
            every = self.every / 10 if storm else self.every
            gap = c.from_s(self.g.exponential(every))
            mean = self.mean_ms * (2 if storm else 1)
            # Log-normal lengths: mostly near the mean, with the occasional long one.
            ms = self.g.lognormal(0.0, 0.5) * mean / 1.133
            start = self.horizon + gap
            end = start + c.from_s(ms / 1000.0)
            self.starts.append(start)
            self.ends.append(end)
            self.horizon = end

    def free_at(self, t):
        """The first instant at or after t that is not inside a pause."""
        if self.horizon <= t:
            self._grow(t)
        i = bisect.bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return self.ends[i]
        return t

    def busy_until(self, t, ticks):
        """When work of ticks begun at t ends, stretched by every pause it runs into."""
        end = t + ticks
        if self.horizon <= end:
            self._grow(end)
        i = bisect.bisect_right(self.ends, t)
        while i < len(self.starts) and self.starts[i] < end:
            end += self.ends[i] - max(self.starts[i], t)
            self._grow(end)
            i += 1
        return end

    def longest_ms(self, until):
        """Longest pause that started before until (for the report)."""
        best = 0
        for s, e in zip(self.starts, self.ends):
            if s >= until:
                break
            best = max(best, e - s)
        return best * 1000.0 / self.clock.hz


# Cycles of the firmware's code on a 125 MHz RP2040, counted on the MicroPython rp2 port
# (v1.28.0, RPI_PICO) running on the emulated chip, then scaled by EMU_TO_CHIP for a real
# one (docs/SIMULATION.md, "Compute time", gives each figure's command and source):
# rp2040js charges every instruction its cycles by the book and has no flash wait states,
# and the same pystone runs 1 838/s there against a real Pico's 1 216/s.
CPU_HZ = 125000000
EMU_TO_CHIP_NUM, EMU_TO_CHIP_DEN = 1838, 1216


# The RP2040's time over the unix port's on the machine the figures were taken on, about
# (the pystone ratio): only for the cruise step time below, too rare to fit on the chip.
UNIX_TO_CHIP = 110


def chip_cycles(emulated_cycles):
    """Cycles counted on the emulated chip as a real RP2040's."""
    return emulated_cycles * EMU_TO_CHIP_NUM // EMU_TO_CHIP_DEN


# A main-loop poll, the firmware's own share (python -m bench.rp2: 0.71 ms idle, 0.83 ms
# with a move running) plus the rp2 port's HAL calls on the chip's registers (inputs
# 228 µs; with a move also the pressure 26 µs, steps done 23 µs and moving 40 µs).
POLL_IDLE_CYCLES = chip_cycles((710 + 228) * 125)
POLL_MOVING_CYCLES = chip_cycles((830 + 228 + 26 + 23 + 40) * 125)
# The planner (python -m bench.compute --chip, fitted over 36 plans of 20-12 000 steps):
ROOT_CYCLES = chip_cycles(76717)  # a ramp step time (integer root)
SEG_CYCLES = chip_cycles(8356)  # a segment written (copied from the ramp or fitted)
# A cruise step time (digit-wise muldiv): the chip's fit holds it at this figure, the unix
# port's 2 µs times UNIX_TO_CHIP, as it is too few to fit alone.
EVAL_CYCLES = 2 * UNIX_TO_CHIP * 125


class Compute:
    """The MCU's time spent in the firmware: a poll's own, plus the plans it made."""

    def __init__(self, clock, params):
        self.clock = clock
        self.scale = params["compute_scale"]
        self.evals = 0
        self.roots = 0
        self.written = 0
        self.start_work = (0, 0, 0)
        self.total_ticks = 0

    def start(self, work):
        """Work done before the session (loading, arming) is not charged."""
        self.start_work = work
        self.evals, self.roots, self.written = work

    def ticks(self, work, moving=False):
        """Step-clock ticks the poll just run took, given the planner's work counters
        (step times worked out, ramp roots among them, segments written); moving: an axis
        was running, so the poll also read the line and the step counts."""
        evals, roots, written = work
        d_roots = roots - self.roots
        cycles = ((POLL_MOVING_CYCLES if moving else POLL_IDLE_CYCLES) + ROOT_CYCLES * d_roots
                  + EVAL_CYCLES * (evals - self.evals - d_roots)
                  + SEG_CYCLES * (written - self.written))
        self.evals, self.roots, self.written = evals, roots, written
        t = round(cycles * self.scale * self.clock.hz / CPU_HZ)
        self.total_ticks += t
        return t
