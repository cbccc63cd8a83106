"""The simulated MCU's time: the wrapping µs tick counter and garbage-collection pauses.

Simulated time (env.now) counts step-clock ticks as integers, so every step lands exactly
where its segment puts it. The main-loop clock is derived from it, starts at an offset
chosen so that it wraps mid-session, and wraps at the board's tick period. GC pauses are
drawn ahead, in time order, from their own stream; a fault can add a storm of them.
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
        self._grow(t)
        i = bisect.bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return self.ends[i]
        return t

    def longest_ms(self, until):
        """Longest pause that started before until (for the report)."""
        best = 0
        for s, e in zip(self.starts, self.ends):
            if s >= until:
                break
            best = max(best, e - s)
        return best * 1000.0 / self.clock.hz
