"""The RP2040 step-word expander (viper) under MicroPython: words reproduce every step time."""

import array

from firmware import board, motion
from firmware.ports.rp2 import words


def decode(ring, n):
    """Step intervals (ticks) the PIO program executes for n words."""
    out = []
    for w in ring[:n]:
        w &= 0xFFFFFFFF
        count = (w & (words.MAX_RUN - 1)) + 1
        out.extend([(w >> words.COUNT_BITS) + words.OVERHEAD_TICKS] * count)
    return out


def expand_in_chunks(segs, nseg, sizes):
    st = array.array("i", [0] * words.ST_WORDS)
    words.start(st, nseg)
    ring = array.array("I", [0] * 512)
    intervals = []
    k = 0
    while True:
        room = sizes[k % len(sizes)]
        k += 1
        n = words.fill(segs, st, ring, room)
        assert 0 <= n <= room
        if n == 0:
            break
        intervals.extend(decode(ring, n))
    assert words.fill(segs, st, ring, 512) == 0  # stays done
    return intervals, st[words.ST_STEPS]


def step_times(intervals):
    t = 0
    times = []
    for iv in intervals:
        t += iv
        times.append(t)
    return times


class Lcg:
    """A seeded generator that is the same on every interpreter."""

    def __init__(self, seed):
        self.x = seed

    def randint(self, lo, hi):
        self.x = (self.x * 1103515245 + 12345) & 0x7FFFFFFF
        return lo + self.x % (hi - lo + 1)


def check(segs, nseg, sizes):
    intervals, steps = expand_in_chunks(segs, nseg, sizes)
    want = list(motion.expand(segs, nseg))
    assert steps == len(want) == words.checked_steps(segs, nseg)
    assert step_times(intervals) == want


def test_hand_made_segments_with_runs_and_negative_adds():
    segs = array.array("i", [5000, 10, -37, 4000, 300, 0, 4000, 129, 0, 4100, 5, 211])
    for sizes in ([512], [1], [3, 1, 7], [128]):
        check(segs, 4, sizes)


def test_planned_moves_match_the_planner_expansion():
    b = board.by_name("pico")
    rng = Lcg(7)
    segs = array.array("i", [0] * 3 * 400)
    for _ in range(6):
        n_steps = rng.randint(1, 4000)
        nseg, _ = motion.plan(segs, 400, n_steps, b.plunger.max_speed_sps, b.plunger.accel_sps2,
                              b.step_clock_hz, b.step_tol_ticks)
        check(segs, nseg, [rng.randint(1, 512) for _ in range(5)])


def test_intervals_outside_the_pio_range_are_refused():
    assert words.checked_steps(array.array("i", [30, 2, 0]), 1) == -1
    assert words.checked_steps(array.array("i", [words.MAX_INTERVAL_TICKS + 1, 1, 0]), 1) == -1
    assert words.checked_steps(array.array("i", [1000, 2, words.MAX_INTERVAL_TICKS]), 1) == -1
    assert words.checked_steps(array.array("i", [words.MAX_INTERVAL_TICKS, 3, 0]), 1) == 3


def test_fill_allocates_nothing():
    # It runs in the DMA-done hard IRQ, where the heap is locked.
    import micropython

    segs = array.array("i", [5000, 300, -3, 4000, 1000, 0])
    st = array.array("i", [0] * words.ST_WORDS)
    ring = array.array("I", [0] * 64)
    words.start(st, 2)
    micropython.heap_lock()
    try:
        n = 0
        while words.fill(segs, st, ring, 64):
            n += 1
        steps = words.checked_steps(segs, 2)
    finally:
        micropython.heap_unlock()
    assert n > 4 and st[words.ST_STEPS] == steps == 1300
