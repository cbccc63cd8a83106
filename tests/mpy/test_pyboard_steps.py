"""The pyboard's per-step interval walker (viper) under MicroPython."""

import array

from firmware import board, motion
from firmware.ports.pyboard import steps


def walk(segs, nseg):
    st = array.array("i", [0] * steps.ST_WORDS)
    steps.start(st, nseg)
    t = 0
    out = []
    while True:
        iv = steps.next_interval(segs, st)
        if iv == 0:
            break
        t += iv
        out.append(t)
    assert steps.next_interval(segs, st) == 0
    return out


def test_intervals_reproduce_the_expansion():
    segs = array.array("i", [5000, 10, -37, 4000, 0, 0, 4000, 129, 0, 4100, 5, 211])
    assert walk(segs, 4) == list(motion.expand(segs, 4))


def test_a_planned_pyboard_move():
    b = board.by_name("pyboard")
    segs = array.array("i", [0] * 3 * 300)
    nseg, _ = motion.plan(segs, 300, 3000, b.plunger.max_speed_sps, b.plunger.accel_sps2,
                          b.step_clock_hz, b.step_tol_ticks)
    assert walk(segs, nseg) == list(motion.expand(segs, nseg))


def test_next_interval_allocates_nothing():
    # It runs in the timer's hard IRQ, where the heap is locked.
    import micropython

    segs = array.array("i", [5000, 300, -3, 4000, 1000, 0])
    st = array.array("i", [0] * steps.ST_WORDS)
    steps.start(st, 2)
    n = 0
    micropython.heap_lock()
    try:
        while steps.next_interval(segs, st):
            n += 1
    finally:
        micropython.heap_unlock()
    assert n == 1300
