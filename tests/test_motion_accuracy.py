"""Step times of thousands of random moves over the boards' whole speed and acceleration
range stay within the board's bound of the exact profile (numpy checks every step)."""

from array import array

import numpy as np

from firmware import board as boards
from firmware import motion

MOVES = 1500


def exact_s(n, total, v, a):
    n = n.astype(np.float64)
    if v * v <= a * total:
        d_a = v * v / (2 * a)
        t_total = total / v + v / a
        return np.where(
            n <= d_a,
            np.sqrt(2 * n / a),
            np.where(n >= total - d_a, t_total - np.sqrt(np.maximum(2 * (total - n) / a, 0)),
                     v / a + (n - d_a) / v),
        )
    t_total = 2 * np.sqrt(total / a)
    return np.where(n <= total / 2, np.sqrt(2 * n / a),
                    t_total - np.sqrt(np.maximum(2 * (total - n) / a, 0)))


def expand_np(segs, nseg):
    """All step times of a move, vectorised per segment, in integer ticks."""
    out = []
    t = 0
    for s in range(nseg):
        interval, count, add = segs[3 * s], segs[3 * s + 1], segs[3 * s + 2]
        k = np.arange(1, count + 1, dtype=np.int64)
        out.append(t + k * interval + add * (k * (k - 1) // 2))
        t += count * interval + add * (count * (count - 1) // 2)
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def worst_over_random_moves(board, moves, seed):
    rng = np.random.default_rng(seed)
    segs = array("l", [0] * (3 * 4096))
    f_hz = board.step_clock_hz
    worst = 0.0
    steps_checked = 0
    for _ in range(moves):
        axis = board.plunger if rng.random() < 0.5 else board.carriage
        total = int(rng.integers(1, axis.travel_steps // 4))
        v = int(rng.integers(axis.home_speed_sps // 4, axis.max_speed_sps + 1))
        a = int(rng.integers(axis.accel_sps2 // 50, axis.accel_sps2 + 1))
        nseg, _ = motion.plan(segs, 4096, total, v, a, f_hz, board.step_tol_ticks)
        t = expand_np(segs, nseg)
        assert len(t) == total
        err = np.abs(t / f_hz - exact_s(np.arange(1, total + 1), total, v, a)).max() * 1e6
        worst = max(worst, float(err))
        steps_checked += total
    return worst, steps_checked


def test_every_step_within_the_bound():
    board = boards.by_name("pico")
    worst, steps = worst_over_random_moves(board, MOVES, seed=2)
    assert steps > 1000000
    assert worst <= 1.0, worst
