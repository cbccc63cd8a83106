"""Trapezoidal moves as step segments (interval, count, add) in step-clock ticks.

The exact profile starts and ends at rest: accelerate at a, cruise at v, decelerate at a
(a triangle when v is not reached). Step n (1..N) is due when the position reaches n. The
planner computes those times with integers only (an integer square root, no float), then
covers them greedily with segments whose expansion
    t += interval; step at t; interval += add
stays within tol ticks of every exact step time. Segments never straddle a phase change
(accel, cruise, decel), where the profile's curvature jumps.

Planning allocates (big integers); it runs before the trigger, never on the shot path.
"""

import math

from firmware.units import div_round

# Words per segment in a segment buffer: interval, count, add.
SEG_WORDS = 3
# Segments up to this many steps are checked at every step; longer ones, which only occur
# where the profile is smooth, at ten spread samples.
FULL_CHECK_STEPS = 48


class PlanError(ValueError):
    """A move that cannot be planned: too many segments for the buffer, or bad figures."""


def isqrt(n):
    """floor(sqrt(n)) for an int n >= 0, exact for any size (float only seeds Newton)."""
    if n < 2:
        return n
    # Seed above the root, whatever the float width, then Newton descends to the floor.
    x = int(math.sqrt(n) * 1.001) + 2
    while True:
        y = (x + n // x) // 2
        if y >= x:
            return x
        x = y


def isqrt_round(n):
    """sqrt(n) rounded to the nearest integer."""
    r = isqrt(4 * n)  # floor(2 sqrt(n))
    return (r + 1) // 2


class Profile:
    """Exact step times (ticks, rounded) of a rest-to-rest move of n_steps."""

    def __init__(self, n_steps, v_sps, a_sps2, clock_hz):
        if n_steps < 0 or v_sps < 1 or a_sps2 < 1 or clock_hz < 1:
            raise PlanError("bad move: steps=%d v=%d a=%d" % (n_steps, v_sps, a_sps2))
        self.n = n_steps
        self.v = v_sps
        self.a = a_sps2
        self.f = clock_hz
        self.f2a = clock_hz * clock_hz * 2  # 2 F², divided by a in the accel formula
        if v_sps * v_sps <= a_sps2 * n_steps:
            self.triangle = False
            self.accel_end = v_sps * v_sps // (2 * a_sps2)
            decel_steps = (v_sps * v_sps - 1) // (2 * a_sps2) + 1
            self.decel_start = n_steps - decel_steps + 1
            self.total = div_round(clock_hz * (a_sps2 * n_steps + v_sps * v_sps), a_sps2 * v_sps)
        else:
            self.triangle = True
            self.accel_end = n_steps // 2
            self.decel_start = self.accel_end + 1
            self.total = isqrt_round(4 * n_steps * clock_hz * clock_hz // a_sps2)

    def _ramp(self, k):
        # Time to cover k steps from rest: F sqrt(2k/a).
        return isqrt_round(k * self.f2a // self.a)

    def time(self, n):
        """Exact time of step n (1..N), in ticks from the start of the move."""
        if n <= self.accel_end:
            return self._ramp(n)
        if n >= self.decel_start:
            return self.total - self._ramp(self.n - n)
        a, v = self.a, self.v
        return div_round(self.f * (2 * a * n + v * v), 2 * a * v)

    def phases(self):
        """Last step index of each phase, in order (empty phases left out)."""
        ends = []
        if self.accel_end > 0:
            ends.append(self.accel_end)
        if self.decel_start - 1 > self.accel_end:
            ends.append(self.decel_start - 1)
        if self.n >= self.decel_start:
            ends.append(self.n)
        return ends


def _fit(prof, t0, i, m, tol):
    """Fit one segment of m steps after step i (expanded time t0); None if it misses tol."""
    e1 = prof.time(i + m) - t0
    if m == 1:
        return (e1, 0) if e1 > 0 else None
    h = m // 2
    e2 = prof.time(i + h) - t0
    add = div_round(2 * (m * e2 - h * e1), m * h * (h - m))
    interval = div_round(e1 - add * (m * (m - 1) // 2), m)
    if interval < 1 or interval + add * (m - 1) < 1:
        return None
    if m <= FULL_CHECK_STEPS:
        ks = range(1, m + 1)
    else:
        q = m // 4
        r = m // 8
        ks = (1, r, q, q + r, h, h + r, h + q, m - r, m - 1, m)
    for k in ks:
        err = t0 + k * interval + add * (k * (k - 1) // 2) - prof.time(i + k)
        if err > tol or err < -tol:
            return None
    return (interval, add)


def plan(segs, capacity, n_steps, v_sps, a_sps2, clock_hz, tol_ticks):
    """Plan a move into the segment buffer segs; return (nseg, duration_ticks).

    tol_ticks bounds each step's deviation from the exact profile; the fit keeps a quarter
    of it spare for the steps between samples of long segments."""
    prof = Profile(n_steps, v_sps, a_sps2, clock_hz)
    tol = tol_ticks - tol_ticks // 4
    if tol < 1:
        tol = 1
    nseg = 0
    t = 0
    i = 0
    guess = 8
    for end in prof.phases():
        while i < end:
            rem = end - i
            m = guess if guess < rem else rem
            fit = _fit(prof, t, i, m, tol)
            if fit is None:
                while fit is None:
                    m = m // 2 if m > 1 else 1
                    fit = _fit(prof, t, i, m, tol)
            else:
                lo = m
                hi = rem
                while lo < hi:
                    mid = lo * 2 if lo * 2 < hi else hi
                    f2 = _fit(prof, t, i, mid, tol)
                    if f2 is None:
                        # Settle between lo and mid by halving the gap once or twice.
                        step = (mid - lo) // 2
                        while step > 0:
                            f3 = _fit(prof, t, i, lo + step, tol)
                            if f3 is not None:
                                lo, fit = lo + step, f3
                            step //= 2
                        break
                    lo, fit = mid, f2
                m = lo
            interval, add = fit
            if nseg >= capacity:
                raise PlanError("move of %d steps needs more than %d segments" % (n_steps, capacity))
            base = nseg * SEG_WORDS
            segs[base] = interval
            segs[base + 1] = m
            segs[base + 2] = add
            nseg += 1
            t += m * interval + add * (m * (m - 1) // 2)
            i += m
            guess = m
    return nseg, t


def constant(segs, n_steps, v_sps, clock_hz):
    """A move at constant speed in one segment (safe-state retract, homing); no ramp, so it
    must be slow enough to start from rest. Allocates nothing."""
    segs[0] = clock_hz // v_sps
    segs[1] = n_steps
    segs[2] = 0
    return 1 if n_steps > 0 else 0


def duration_ticks(segs, nseg):
    """Time from the start of a move to its last step."""
    t = 0
    for s in range(nseg):
        b = s * SEG_WORDS
        interval, count, add = segs[b], segs[b + 1], segs[b + 2]
        t += count * interval + add * (count * (count - 1) // 2)
    return t


def expand(segs, nseg):
    """Every step time of a move, in ticks from its start (for tests and the simulator)."""
    t = 0
    for s in range(nseg):
        b = s * SEG_WORDS
        interval, count, add = segs[b], segs[b + 1], segs[b + 2]
        for _ in range(count):
            t += interval
            yield t
            interval += add


def move_time_us(n_steps, v_sps, a_sps2):
    """Duration of a rest-to-rest move in µs (0 for no steps)."""
    if n_steps <= 0:
        return 0
    return Profile(n_steps, v_sps, a_sps2, 1000000).total
