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
the Profile's fields, not tuples. Only the first Profile.setup on an axis's Ramp for an
acceleration and clock works with wide integers (the ramp constant 2 F²/a), at start-up; the
axis's other Profiles copy it from the Ramp.
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
# Segments kept of a Profile's ramp from rest (its accel phase of the longest move so far).
RAMP_SEGS = 96
# The ramp is fitted as if it went on to this step (no segment of it is cut short).
RAMP_END = 1 << 22
_LIMB = 0xFFF  # 12-bit limbs of the ramp constant
_LO = 0xFFFFFF
_CACHE = 63  # step times kept by a Profile, less one (a mask)
_NO_TIMES = array("i", [-1] * (_CACHE + 1))  # a Profile's step-time tags, all empty
# Words of a Ramp's segments, and of its mirrored tail (one segment more: room to spare).
RAMP_WORDS = SEG_WORDS * RAMP_SEGS
TAIL_WORDS = SEG_WORDS * (RAMP_SEGS + 1)

# Work done by every Profile since start-up, in the planner's costly operations: plans, step
# times worked out (cache misses) and ramp roots among them, segments written. The simulator
# charges the MCU's time from these (sim/mcu.py); small ints, so counting allocates nothing.
plans = 0
evals = 0
roots = 0
written = 0


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


class Ramp:
    """The ramp from rest, fitted once per acceleration, clock and tolerance and reused by
    every move planned with it: its accel phase is a prefix, its decel the mirror image of
    one (see plan_into), so a move's plan takes no ramp roots once the ramp is long enough.
    One per axis, shared by that axis's Moves (they all plan with its acceleration), and
    fitted at start-up (warm): on the RP2040 a fit takes about a second of the main loop."""

    def __init__(self):
        self.segs = array("i", [0] * RAMP_WORDS)
        # Steps covered by segments 0..j, and the time of the last of them: where a prefix
        # of k steps ends is a search, not a walk through every segment.
        self.upto = array("i", [0] * RAMP_SEGS)
        self.at = array("i", [0] * RAMP_SEGS)
        # The decel of the last mirrored tail (tail_k steps), in the order a move runs it;
        # the words past its tail_n segments are left over. A plan copies it whole.
        self.tail = array("i", [0] * TAIL_WORDS)
        self.tail_k = -1
        self.tail_n = 0
        self.n = 0  # segments in segs
        self.k = self.t = 0  # steps they cover, and the time of the last
        self.g = 8  # the fit's next guess
        self.a = self.f = self.tol = 0  # what they were fitted for
        # The ramp constant's limbs (Profile.setup) for acceleration ca and clock cf: made
        # once with wide ints by the first Profile on this ramp (at start-up, warm), copied
        # by the others (a Move made later, such as a dose model's two-part dose) in small ints.
        self.ca = self.cf = 0
        self.c2 = self.c1 = self.c0 = 0


class Profile:
    """Exact step times (ticks, rounded) of a rest-to-rest move; one per Move, reused."""

    def __init__(self, ramp=None):
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
        self.tags = memoryview(self.tag)  # cleared by one copy (a slice store allocates nothing)
        self.tv = array("i", [0] * (_CACHE + 1))
        self.into = None  # the segment buffer planned into last, and a view of it
        self.view = None
        self.nseg = self.duration = 0  # the last plan
        # The axis's, or its own, made at the first plan that needs one (a Move that only
        # ever runs constant() moves, such as the safe state's, never does).
        self.ramp = ramp
        self.ct = self.cg = self.ci = 0  # cover(): time, last count and steps covered
        # The speed, acceleration and clock of the speed-only figures below (setup keeps them).
        self.sv = self.sa = self.sf = 0
        self.half = self.reach = self.cruise2 = self.ramps2 = 0
        self.half_exact = self.reach_exact = False

    def setup(self, n_steps, v_sps, a_sps2, clock_hz):
        if n_steps < 0 or v_sps < 1 or a_sps2 < 1 or clock_hz < 1:
            raise PlanError("bad move: steps=%d v=%d a=%d" % (n_steps, v_sps, a_sps2))
        if a_sps2 != self.ca or clock_hz != self.cf:
            # Ramp time of k steps: sqrt(k C), C = 2 F² / a, in 12-bit limbs: wide ints once
            # per ramp (2 F² is past 2**30 on a 32-bit port), the ramp's own when it has them.
            r = self.ramp
            if r is not None and r.ca == a_sps2 and r.cf == clock_hz:
                self.c2 = r.c2
                self.c1 = r.c1
                self.c0 = r.c0
            else:
                c = div_round(2 * clock_hz * clock_hz, a_sps2)
                self.c2 = c >> 24
                self.c1 = (c >> 12) & _LIMB
                self.c0 = c & _LIMB
                if r is not None:
                    r.c2 = self.c2
                    r.c1 = self.c1
                    r.c0 = self.c0
                    r.ca = a_sps2
                    r.cf = clock_hz
            self.ca, self.cf = a_sps2, clock_hz
        self.clear_times()
        self.n = n_steps
        self.v = v_sps
        self.a = a_sps2
        self.f = clock_hz
        f2 = 2 * clock_hz
        if v_sps != self.sv or a_sps2 != self.sa or clock_hz != self.sf:
            # What depends on the speed alone: the same for every move of a zone's depth
            # or flow, whatever its length.
            self.half = muldiv(v_sps, v_sps, 2 * a_sps2)  # steps to reach v: v² / 2a
            self.half_exact = units.rem == 0
            self.reach = muldiv(v_sps, v_sps, a_sps2)  # v² <= a N: the cruise speed is reached
            self.reach_exact = units.rem == 0
            self.cruise2 = muldiv(clock_hz, v_sps, a_sps2)  # F v / 2a, in half ticks
            self.ramps2 = muldiv(f2, v_sps, a_sps2)  # 2 F v / a: both ramps' time over a cruise's
            self.sv, self.sa, self.sf = v_sps, a_sps2, clock_hz
        q = self.reach
        if q < n_steps or (q == n_steps and self.reach_exact):
            self.triangle = False
            half = self.half
            self.accel_end = half
            self.decel_start = n_steps - (half if self.half_exact else half + 1) + 1
            self.total = (muldiv(f2, n_steps, v_sps) + self.ramps2 + 1) >> 1
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

    def clear_times(self):
        self.tags[0:_CACHE + 1] = _NO_TIMES

    def bind(self, segs):
        """A view of segs, an array('i') like the Ramp's: plans into segs then lay the ramp
        and its tail by whole copies (other buffers, such as the tests' array('l'), item by
        item). A Move binds its own at creation: making a memoryview allocates, its slice
        stores do not."""
        if self.into is not segs:
            self.into = segs
            self.view = memoryview(segs)
        return self.view

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
        global evals, roots
        j = n & _CACHE
        if self.tag[j] == n:
            return self.tv[j]
        evals += 1
        if n <= self.accel_end:
            roots += 1
            t = self._ramp(n)
        elif n >= self.decel_start:
            roots += 1
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


def cover(prof, segs, nseg, capacity, i, stop, end, t, guess, tol):
    """Greedily cover steps i+1.. with segments (none past end, the phase's last step) from
    segs[nseg] on, until step stop is covered (the move's time t at step i); return the
    segment count, leave the time, the last count and the steps covered in prof.ct,
    prof.cg and prof.ci. -1 when capacity runs out."""
    while i < stop:
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
            return -1
        base = nseg * SEG_WORDS
        segs[base] = interval
        segs[base + 1] = m
        segs[base + 2] = add
        nseg += 1
        t += m * interval + add * tri(m)
        i += m
        guess = m
    prof.ct = t
    prof.cg = guess
    prof.ci = i
    return nseg


def _count(prof, n):
    """Count the segments a plan wrote (copied or mirrored from the ramp, or fitted)."""
    global written
    written += n
    prof.nseg = n


def _ramp_ready(prof, need, tol):
    """The ramp from rest fitted over at least need steps; False if that takes more than
    RAMP_SEGS segments (the move is then planned whole). The ramp is fitted as if it went on
    for ever (no segment is cut by an end), so it grows by going on from where it stopped and
    its segments are the same whichever moves came first: a plan depends on its figures alone."""
    r = prof.ramp
    if r is None:
        r = prof.ramp = Ramp()
    if r.a != prof.a or r.f != prof.f or r.tol != tol:
        r.n = r.k = r.t = 0
        r.g = 8
        r.tail_k = -1
        r.a = prof.a
        r.f = prof.f
        r.tol = tol
    if r.k >= need:
        return True
    # The fit reads step times through time(): for the ramp they are all accel times.
    accel_end, decel_start = prof.accel_end, prof.decel_start
    prof.accel_end = RAMP_END
    prof.decel_start = RAMP_END + 1
    prof.clear_times()
    n = cover(prof, r.segs, r.n, RAMP_SEGS, r.k, need, RAMP_END, r.t, r.g, tol)
    prof.accel_end, prof.decel_start = accel_end, decel_start
    prof.clear_times()
    if n < 0:
        return False  # what was fitted stays: shorter moves still use it
    _index(r, r.n, n)
    r.n = n
    r.k = prof.ci
    r.t = prof.ct
    r.g = prof.cg
    return True


def warm(prof, v_sps, a_sps2, clock_hz, tol_ticks):
    """Fit prof's ramp up to the speed v_sps (an axis's top speed), as far as RAMP_SEGS
    segments go, so that no later plan of that axis fits ramp roots: at start-up, before the
    main loop has anything to watch. Returns the ramp's steps."""
    # A move just long enough to cruise at v_sps: its accel phase is the whole ramp.
    prof.setup(muldiv(v_sps, v_sps, a_sps2) + 2, v_sps, a_sps2, clock_hz)
    _ramp_ready(prof, prof.accel_end, _fit_tol(tol_ticks))
    return prof.ramp.k


def _fit_tol(tol_ticks):
    """The fit keeps a quarter of the tolerance spare for the steps between samples."""
    tol = tol_ticks - (tol_ticks >> 2)
    return tol if tol > 0 else 1


def _cruise(prof, segs, nseg, capacity, i, end, t, tol):
    """Cover the cruise's steps i+1..end (planned time t at step i) without fitting: its
    exact interval is F/v = q + r/v ticks, so a run of steps at q falls behind by r/v a step
    and one at q + 1 gains (v - r)/v; each run goes from where the error stands to the far
    side of the tolerance, then the error is read afresh from the exact time (one step time
    a run, no search). The first step lands on its exact time. Returns the segment count
    (-1 when capacity runs out, -2 when steps come closer than the tolerance); the time at
    end in prof.ct."""
    global evals
    v = prof.v
    q = prof.f // v
    r = prof.f - q * v
    band = tol - 2  # the exact times are rounded: a tick each way
    if band < 1:
        band = 1
    while i < end:
        evals += 1
        if nseg >= capacity:
            return -1
        exact = (muldiv(2 * prof.f, i + 1, v) + prof.cruise2 + 1) >> 1
        err = t - exact + q  # the error at step i + 1 if it came after q ticks
        # Steps at q while the error stays at or above -band; at q + 1 (each one tick later
        # than at q) while it stays at or below +band. -1: that run cannot start here.
        behind = -1
        if -band <= err <= band:
            behind = 0 if r == 0 else (err + band) * v // r
        ahead = -1
        if -band <= err + 1 <= band:
            ahead = (band - err - 1) * v // (v - r)
        if i == prof.accel_end or (behind < 0 and ahead < 0):
            interval, m = exact - t, 1  # land on it
            if interval < 1:
                return -2  # steps closer than the tolerance: fitted whole instead
        else:
            if r == 0 and behind >= 0:
                interval, m = q, end - i
            elif behind >= ahead:
                interval, m = q, behind + 1
            else:
                interval, m = q + 1, ahead + 1
            if m > end - i:
                m = end - i
        base = nseg * SEG_WORDS
        segs[base] = interval
        segs[base + 1] = m
        segs[base + 2] = 0
        nseg += 1
        t += m * interval
        i += m
    prof.ct = t
    return nseg


def _index(r, j, n):
    """Fill the ramp's steps-covered and time tables for its segments j..n-1."""
    segs, upto, at = r.segs, r.upto, r.at
    k = upto[j - 1] if j > 0 else 0
    t = at[j - 1] if j > 0 else 0
    while j < n:
        b = j * SEG_WORDS
        m = segs[b + 1]
        k += m
        t += m * segs[b] + segs[b + 2] * tri(m)
        upto[j] = k
        at[j] = t
        j += 1


def _ramp_prefix(prof, k):
    """The ramp's segments covering its first k steps (0 < k <= its steps): leaves in
    prof.ct the time of step k and in prof.cg the index of the last segment used (its count
    cut to fit k); returns that last count."""
    r = prof.ramp
    upto = r.upto
    lo = 0
    hi = r.n - 1
    while lo < hi:  # the first segment whose end reaches k
        mid = (lo + hi) >> 1
        if upto[mid] < k:
            lo = mid + 1
        else:
            hi = mid
    b = lo * SEG_WORDS
    if lo > 0:
        m = k - upto[lo - 1]
        t = r.at[lo - 1]
    else:
        m = k
        t = 0
    ramp = r.segs
    prof.ct = t + m * ramp[b] + ramp[b + 2] * tri(m)
    prof.cg = lo
    return m


def _mirror(r, k, last, last_m):
    """Lay in r.tail the ramp's first k steps run backwards (segments last..0, the last cut
    to last_m): each segment (i, m, d) becomes (i + (m - 1) d, m, -d)."""
    ramp, tail = r.segs, r.tail
    w = 0
    j = last
    while j >= 0:
        b = j * SEG_WORDS
        m = ramp[b + 1] if j < last else last_m
        add = ramp[b + 2]
        tail[w] = ramp[b] + (m - 1) * add
        tail[w + 1] = m
        tail[w + 2] = -add
        w += SEG_WORDS
        j -= 1
    r.tail_k = k
    r.tail_n = last + 1


def plan_into(prof, segs, capacity, n_steps, v_sps, a_sps2, clock_hz, tol_ticks):
    """Plan a move into the segment buffer segs; return its segment count (prof.nseg) and
    leave its duration in ticks in prof.duration. Allocates nothing (see the header).

    tol_ticks bounds each step's deviation from the exact profile; the fit keeps a quarter
    of it spare for the steps between samples of long segments.

    The accel phase is the Profile's ramp from rest cut at accel_end. The decel phase's
    step n is due at total - ramp(N - n): the ramp's first N - decel_start steps mirrored
    (each segment (i, m, d) run backwards is (i + (m - 1) d, m, -d)), after one step that
    lands the mirror on the exact total, so each decel step is off by exactly the ramp's
    error at its mirror step. The cruise between them is laid in runs (_cruise): no root, no fit."""
    global plans
    plans += 1
    prof.setup(n_steps, v_sps, a_sps2, clock_hz)
    tol = _fit_tol(tol_ticks)
    accel_end = prof.accel_end
    tail = n_steps - prof.decel_start  # decel steps mirrored from the ramp (one more lands)
    if tail < 0:
        tail = 0
    need = accel_end if accel_end > tail else tail
    if n_steps < 2 or not _ramp_ready(prof, need, tol):
        return _plan_whole(prof, segs, capacity, n_steps, tol)
    r = prof.ramp
    ramp = r.segs
    words = capacity * SEG_WORDS
    view = prof.view if prof.into is segs else None
    nseg = 0
    t = 0
    if accel_end > 0:
        last_m = _ramp_prefix(prof, accel_end)
        last = prof.cg
        if last + 1 > capacity:
            raise PlanError("move of %d steps needs more than %d segments" % (n_steps, capacity))
        if view is not None and words >= RAMP_WORDS:
            # The whole ramp in one copy (the words past this prefix are overwritten or
            # left over), then its last segment cut.
            view[0:RAMP_WORDS] = ramp
            segs[last * SEG_WORDS + 1] = last_m
        else:
            for j in range(last + 1):
                b = j * SEG_WORDS
                segs[b] = ramp[b]
                segs[b + 1] = ramp[b + 1] if j < last else last_m
                segs[b + 2] = ramp[b + 2]
        nseg = last + 1
        t = prof.ct
    cruise_end = prof.decel_start - 1
    if cruise_end > accel_end:
        nseg = _cruise(prof, segs, nseg, capacity, accel_end, cruise_end, t, tol)
        if nseg == -2:
            return _plan_whole(prof, segs, capacity, n_steps, tol)
        if nseg < 0:
            raise PlanError("move of %d steps needs more than %d segments" % (n_steps, capacity))
        t = prof.ct
    if n_steps >= prof.decel_start:
        last_m = 0
        last = -1
        mirrored = 0
        if tail > 0:
            last_m = _ramp_prefix(prof, tail)
            last = prof.cg
            mirrored = prof.ct
        land = prof.total - mirrored - t  # the step into decel_start
        if land < 1 or nseg + last + 2 > capacity:
            if land >= 1:
                raise PlanError("move of %d steps needs more than %d segments" % (
                    n_steps, capacity))
            return _plan_whole(prof, segs, capacity, n_steps, tol)
        base = nseg * SEG_WORDS
        segs[base] = land
        segs[base + 1] = 1
        segs[base + 2] = 0
        nseg += 1
        if tail > 0:
            # The mirrored tail is kept with the ramp: the next move with this decel (the
            # same depth at top speed, say) copies it as it is.
            if r.tail_k != tail:
                _mirror(r, tail, last, last_m)
            base = nseg * SEG_WORDS
            if view is not None and base + TAIL_WORDS <= words:
                view[base:base + TAIL_WORDS] = r.tail
            else:
                src = r.tail
                for w in range(r.tail_n * SEG_WORDS):
                    segs[base + w] = src[w]
            nseg += r.tail_n
        t = prof.total
    _count(prof, nseg)
    prof.duration = t
    return nseg


def _plan_whole(prof, segs, capacity, n_steps, tol):
    """Every phase fitted from its exact step times (a ramp too long to keep, a tiny move)."""
    nseg = 0
    t = 0
    i = 0
    guess = 8
    ends = prof.ends
    for p in range(prof.nends):
        end = ends[p]
        nseg = cover(prof, segs, nseg, capacity, i, end, end, t, guess, tol)
        if nseg < 0:
            raise PlanError("move of %d steps needs more than %d segments" % (n_steps, capacity))
        t, guess = prof.ct, prof.cg
        i = end
    _count(prof, nseg)
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


def small(n_steps, v_sps, a_sps2):
    """Whether a move plans in small ints (every value under 2**30, tests/test_small_ints.py):
    under 46 000 steps, its cruise and its ramp each under a second (n < v, v < a), so under
    2 s in all. A longer one (a large dose at a slow flow) works with wide ints."""
    return n_steps < 46000 and n_steps < v_sps < a_sps2


def move_time_us(n_steps, v_sps, a_sps2):
    """Duration of a rest-to-rest move in µs (0 for no steps)."""
    if n_steps <= 0:
        return 0
    _PROFILE.setup(n_steps, v_sps, a_sps2, 1000000)
    return _PROFILE.total
