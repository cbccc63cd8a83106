"""Wrapping tick arithmetic at the RP2040's 2**30 period and the unix port's 2**62, each
given to ticks as its mask (period - 1)."""

from firmware import ticks

P30 = 1 << 30
P62 = 1 << 62
M30 = P30 - 1
M62 = P62 - 1


def test_add_wraps():
    assert ticks.add(P30 - 10, 25, M30) == 15
    assert ticks.add(5, -10, M30) == P30 - 5
    assert ticks.add(P62 - 1, 2, M62) == 1


def test_diff_across_the_wrap():
    assert ticks.diff(15, P30 - 10, M30) == 25
    assert ticks.diff(P30 - 10, 15, M30) == -25
    assert ticks.diff(3, P62 - 3, M62) == 6


def test_diff_half_period_is_the_limit():
    half = P30 // 2
    assert ticks.diff(half - 1, 0, M30) == half - 1
    assert ticks.diff(half, 0, M30) == -half


def test_add_then_diff_round_trips():
    for start in (0, 1, P30 - 1, P30 // 2, 123456789):
        for delta in (0, 1, -1, 1000000, -1000000, P30 // 2 - 1):
            t = ticks.add(start, delta, M30)
            assert 0 <= t < P30
            assert ticks.diff(t, start, M30) == delta


def test_add_and_diff_agree_with_plain_arithmetic_near_the_wrap():
    for m, p in ((M30, P30), (M62, P62)):
        for t in (0, 1, p // 2 - 1, p // 2, p - 2, p - 1):
            for d in (0, 1, -1, p // 2 - 1, -(p // 2), p - 1, -(p - 1)):
                assert ticks.add(t, d, m) == (t + d) % p
            for b in (0, 1, p // 2 - 1, p // 2, p - 1):
                want = (t - b) % p
                assert ticks.diff(t, b, m) == (want - p if want >= p // 2 else want)
