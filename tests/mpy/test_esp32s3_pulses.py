"""The ESP32-S3 RMT pulse feeder under MicroPython: rising edges land on every step time."""

import array

from firmware import board, motion
from firmware.ports.esp32s3.pulses import PULSE_MAX, PULSE_TICKS, PulseFeeder


def edges(segs, nseg, chunk):
    """Rising-edge times of the whole move, fed chunk by chunk; checks chunk bookkeeping."""
    feeder = PulseFeeder()
    feeder.start(segs, nseg)
    durations = [0] * chunk
    levels = [False] * chunk
    t = 0
    level = False
    out = []
    while True:
        used = feeder.fill(durations, levels)
        if used == 0:
            break
        steps = 0
        start = t
        for i in range(chunk):
            d = durations[i]
            assert 1 <= d <= PULSE_MAX
            if levels[i] and not level:
                out.append(t)
                steps += 1
            if levels[i]:
                assert d == PULSE_TICKS
            level = levels[i]
            t += d
        assert steps == feeder.chunk_steps
        assert t - start == feeder.chunk_ticks
        assert used == chunk or feeder.fill(durations, levels) == 0  # only the last is padded
    return out


def test_edges_match_the_segment_expansion():
    segs = array.array("i", [400, 5, -3, 90000, 2, 0, 25, 40, 0, 300, 7, 11])
    want = list(motion.expand(segs, 4))
    for chunk in (2, 3, 64, 1024):
        assert edges(segs, 4, chunk) == want, chunk


def test_a_planned_move_is_exact_in_one_chunk():
    b = board.by_name("esp32s3")
    segs = array.array("i", [0] * 3 * 300)
    nseg, _ = motion.plan(segs, 300, 1200, b.plunger.max_speed_sps, b.plunger.accel_sps2,
                          b.step_clock_hz, b.step_tol_ticks)
    assert edges(segs, nseg, 4096) == list(motion.expand(segs, nseg))


def test_fill_allocates_nothing_after_setup():
    import micropython

    segs = array.array("i", [5000, 300, -3, 40000, 100, 0])
    feeder = PulseFeeder()
    durations = [0] * 256
    levels = [False] * 256
    feeder.start(segs, 2)
    total = 0
    micropython.heap_lock()
    try:
        while feeder.fill(durations, levels):
            total += feeder.chunk_steps
    finally:
        micropython.heap_unlock()
    assert total == 400
