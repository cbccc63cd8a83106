"""Trapezoidal moves as step segments (interval, count, add) in step-clock ticks.

The exact profile starts and ends at rest: accelerate at a, cruise at v, decelerate at a
(a triangle when v is not reached). Step n (1..N) is due when the position reaches n. The
planner computes those times with integers only (an integer square root, no float), then
covers them greedily with segments whose expansion
    t += interval; step at t; interval += add
stays within tol ticks of every exact step time. Segments never straddle a phase change
(accel, cruise, decel), where the profile's curvature jumps.

Planning runs before the trigger and allocates nothing once a Profile exists: every value
of a shot-sized move (moves under about a second, segments under 46 000 steps) stays below
2**30, the small-int limit of a 32-bit port (tests/test_small_ints.py), and results go into
the Profile's fields, not tuples. Only Profile.setup's first call for an acceleration and
clock works with wide integers (the ramp constant 2 F²/a), once per axis.
"""

import math
from array import array

from firmware import units
from firmware.units import div_round, muldiv

# Words per segment in a segment buffer: interval, count, add.
SEG_WORDS = 3
# Segments up to this many steps are checked at every step; longer ones, which only occur
# where the profile is smooth, at ten spread samples.
FULL_CHECK_STEPS = 48
_LIMB = 0xFFF  # 12-bit limbs of the ramp constant
_LO = 0xFFFFFF
_CACHE = 63  # step times kept by a Profile, less one (a mask)


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


def tri(m):
    """m (m - 1) / 2 without the product m (m - 1), which passes 2**30 from m = 32 769."""
    if m & 1:
        return m * ((m - 1) >> 1)
    return (m >> 1) * (m - 1)


class Profile:
    """Exact step times (ticks, rounded) of a rest-to-rest move; one per Move, reused."""

    def __init__(self):
        self.ca = 0  # acceleration and clock the ramp constant was made for
        self.cf = 0
        self.c2 = self.c1 = self.c0 = 0
        self.n = self.v = self.a = self.f = 0
        self.triangle = False
        self.accel_end = self.decel_start = self.total = self.cruise2 = 0
        self.ends = array("i", [0, 0, 0])  # last step of each non-empty phase
        self.nends = 0
        self.ks = array("i", [0] * 10)  # the sampled steps of a long segment
        self.fi = self.fa = 0  # the last fit: interval, add
        self.root = 1  # the last ramp's root: the next one's seed
        self.tag = array("i", [-1] * (_CACHE + 1))  # step times kept: step, time
        self.tv = array("i", [0] * (_CACHE + 1))
        self.nseg = self.duration = 0  # the last plan

    def setup(self, n_steps, v_sps, a_sps2, clock_hz):
        if n_steps < 0 or v_sps < 1 or a_sps2 < 1 or clock_hz < 1:
            raise PlanError("bad move: steps=%d v=%d a=%d" % (n_steps, v_sps, a_sps2))
        if a_sps2 != self.ca or clock_hz != self.cf:
            # Ramp time of k steps: sqrt(k C), C = 2 F² / a, in 12-bit limbs (wide ints once).
            c = div_round(2 * clock_hz * clock_hz, a_sps2)
            self.c2 = c >> 24
            self.c1 = (c >> 12) & _LIMB
            self.c0 = c & _LIMB
            self.ca, self.cf = a_sps2, clock_hz
        tag = self.tag
        for j in range(_CACHE + 1):
            tag[j] = -1
        self.n = n_steps
        self.v = v_sps
        self.a = a_sps2
        self.f = clock_hz
        f2 = 2 * clock_hz
        half = muldiv(v_sps, v_sps, 2 * a_sps2)  # steps to reach v: v² / 2a
        rem_half = units.rem
        q = muldiv(v_sps, v_sps, a_sps2)  # v² <= a N: the cruise speed is reached
        if q < n_steps or (q == n_steps and units.rem == 0):
            self.triangle = False
            self.accel_end = half
            self.decel_start = n_steps - (half if rem_half == 0 else half + 1) + 1
            self.cruise2 = muldiv(clock_hz, v_sps, a_sps2)  # F v / 2a, in half ticks
            self.total = (muldiv(f2, n_steps, v_sps) + muldiv(f2, v_sps, a_sps2) + 1) >> 1
        else:
            self.triangle = True
            self.accel_end = n_steps >> 1
            self.decel_start = self.accel_end + 1
            self.total = self._ramp(2 * n_steps)  # 2 F sqrt(N / a)
        ends = self.ends
        k = 0
        if self.accel_end > 0:
            ends[k] = self.accel_end
            k += 1
        if self.decel_start - 1 > self.accel_end:
            ends[k] = self.decel_start - 1
            k += 1
        if n_steps >= self.decel_start:
            ends[k] = n_steps
            k += 1
        self.nends = k

    def _ramp(self, k):
        """Time to cover k steps from rest, F sqrt(2k/a) = sqrt(k C), rounded: C's limbs
        times k make 4 k C = hi 2**24 + lo, whose integer root x (Newton's method from the
        last root, which the fit's neighbouring steps keep close, or from a power of two
        above the root when the last is less than half of it) gives (x + 1) / 2. The
        division by x takes lo four bits at a time, so no value passes 2**30 while x stays
        below 2**25 (ramps under 2**24 ticks, 134 ms at 125 MHz)."""
        if k <= 0:
            return 0
        p1 = k * self.c1
        lo = k * self.c0 + ((p1 & _LIMB) << 12)
        hi = k * self.c2 + (p1 >> 12) + (lo >> 24)
        hi = (hi << 2) | ((lo >> 22) & 3)  # times 4
        lo = (lo << 2) & _LO
        x = self.root  # the seed; above the root is safe, far below would make q wide
        if hi // x > (x >> 22) + 1:
            e = 0
            while hi >> (e << 1):
                e += 1
            x = 1 << (e + 12)  # at or above the root: 4kC < 4**e 2**24
        while True:
            q = hi // x
            r = hi - q * x
            sh = 20
            while sh >= 0:
                r = (r << 4) | ((lo >> sh) & 15)
                d = r // x
                r -= d * x
                q = (q << 4) | d
                sh -= 4
            # x² <= 4kC < (x + 1)²: x is the floor root (4kC = x q + r)
            if x <= q and (q <= x + 1 or (q == x + 2 and r == 0)):
                break
            x = (x + q) >> 1
        self.root = x
        return (x + 1) >> 1

    def time(self, n):
        """Exact time of step n (1..N), in ticks from the start of the move; the last 64
        are kept (the fit asks for the same steps again as its segments grow)."""
        j = n & _CACHE
        if self.tag[j] == n:
            return self.tv[j]
        if n <= self.accel_end:
            t = self._ramp(n)
        elif n >= self.decel_start:
            t = self.total - self._ramp(self.n - n)
        else:
            # Cruise: F n / v + F v / 2a, summed in half ticks.
            t = (muldiv(2 * self.f, n, self.v) + self.cruise2 + 1) >> 1
        if t < 0x40000000:
            self.tag[j] = n
            self.tv[j] = t
        return t

    def fit(self, t0, i, m, tol):
        """Fit one segment of m steps after step i (expanded time t0) into fi, fa; False if
        it misses tol. add from the mean intervals of the first h and all m steps (in 1/1024
        tick), which differ by add (m - h) / 2; the check below is what decides."""
        e1 = self.time(i + m) - t0
        if m == 1:
            self.fi, self.fa = e1, 0
            return e1 > 0
        h = m >> 1
        e2 = self.time(i + h) - t0
        mean1 = (e1 // m << 10) + (((e1 % m) << 10) // m)
        mean2 = (e2 // h << 10) + (((e2 % h) << 10) // h)
        add = div_round(2 * (mean1 - mean2), (m - h) << 10)
        interval = div_round(e1 - add * tri(m), m)
        if interval < 1 or interval + add * (m - 1) < 1:
            return False
        if m <= FULL_CHECK_STEPS:
            for k in range(1, m + 1):
                err = t0 + k * interval + add * tri(k) - self.time(i + k)
                if err > tol or err < -tol:
                    return False
        else:
            ks = self.ks
            q = m >> 2
            r = m >> 3
            ks[0] = 1  # (item by item: a tuple of more than three would allocate)
            ks[1] = r
            ks[2] = q
            ks[3] = q + r
            ks[4] = h
            ks[5] = h + r
            ks[6] = h + q
            ks[7] = m - r
            ks[8] = m - 1
            ks[9] = m
            for j in range(10):
                k = ks[j]
                err = t0 + k * interval + add * tri(k) - self.time(i + k)
                if err > tol or err < -tol:
                    return False
        self.fi, self.fa = interval, add
        return True


_PROFILE = Profile()  # for plan() and move_time_us(); each Move has its own


def plan_into(prof, segs, capacity, n_steps, v_sps, a_sps2, clock_hz, tol_ticks):
    """Plan a move into the segment buffer segs; return its segment count (prof.nseg) and
    leave its duration in ticks in prof.duration. Allocates nothing (see the header).

    tol_ticks bounds each step's deviation from the exact profile; the fit keeps a quarter
    of it spare for the steps between samples of long segments."""
    prof.setup(n_steps, v_sps, a_sps2, clock_hz)
    tol = tol_ticks - (tol_ticks >> 2)
    if tol < 1:
        tol = 1
    nseg = 0
    t = 0
    i = 0
    guess = 8
    ends = prof.ends
    for p in range(prof.nends):
        end = ends[p]
        while i < end:
            rem = end - i
            m = guess if guess < rem else rem
            if not prof.fit(t, i, m, tol):
                m = m >> 1 if m > 1 else 1
                while not prof.fit(t, i, m, tol):
                    m = m >> 1 if m > 1 else 1
                interval, add = prof.fi, prof.fa
            else:
                interval, add = prof.fi, prof.fa
                lo = m
                hi = rem
                while lo < hi:
                    mid = lo * 2 if lo * 2 < hi else hi
                    if not prof.fit(t, i, mid, tol):
                        # Settle between lo and mid by halving the gap once or twice.
                        step = (mid - lo) >> 1
                        while step > 0:
                            if prof.fit(t, i, lo + step, tol):
                                lo = lo + step
                                interval, add = prof.fi, prof.fa
                            step >>= 1
                        break
                    lo = mid
                    interval, add = prof.fi, prof.fa
                m = lo
            if nseg >= capacity:
                raise PlanError("move of %d steps needs more than %d segments" % (n_steps, capacity))
            base = nseg * SEG_WORDS
            segs[base] = interval
            segs[base + 1] = m
            segs[base + 2] = add
            nseg += 1
            t += m * interval + add * tri(m)
            i += m
            guess = m
    prof.nseg = nseg
    prof.duration = t
    return nseg


def plan(segs, capacity, n_steps, v_sps, a_sps2, clock_hz, tol_ticks):
    """plan_into with the module's Profile; return (nseg, duration_ticks) (for tests, the
    simulator and the host: the tuple allocates)."""
    nseg = plan_into(_PROFILE, segs, capacity, n_steps, v_sps, a_sps2, clock_hz, tol_ticks)
    return nseg, _PROFILE.duration


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
        t += count * interval + add * tri(count)
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
    _PROFILE.setup(n_steps, v_sps, a_sps2, 1000000)
    return _PROFILE.total
