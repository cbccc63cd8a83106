"""Wrapping tick arithmetic with an explicit period (ticks_add / ticks_diff semantics).

The main-loop clock wraps at 2**30 µs on the RP2040 (about 17.9 minutes), so any session
wraps; every comparison of two times goes through diff(). The period is a power of two and
values stay small ints on every port.
"""


def add(t, delta, period):
    """t + delta on a clock that wraps at period."""
    return (t + delta) & (period - 1)


def diff(a, b, period):
    """a - b as a signed count in [-period/2, period/2): negative when a is before b."""
    half = period >> 1
    return ((a - b + half) & (period - 1)) - half
