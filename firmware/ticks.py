"""Wrapping tick arithmetic on a clock whose period is a power of two (ticks_add / ticks_diff
semantics), given as its mask: period - 1.

The main-loop clock wraps at 2**30 µs on the RP2040 (about 17.9 minutes), so any session
wraps; every comparison of two times goes through diff(). The mask, not the period, is what
the code carries: a 31-bit port's small ints end at 2**30 - 1, so 2**30 itself is a heap
object there and every sum, shift or remainder with it allocates (found running the shot
cycle under heap_lock() on the rp2 port). Times, their differences and the mask stay small
ints on every port.
"""


# Neither function forms a value wider than the clock: t + delta or a - b + period/2 would
# pass 2**30 near the wrap, and allocate there.


def add(t, delta, mask):
    """t + delta on a clock that wraps at mask + 1 (t on the clock, |delta| < period)."""
    r = t - (mask - (delta & mask)) - 1  # t + delta - period, in [-period, period)
    return r + mask + 1 if r < 0 else r


def diff(a, b, mask):
    """a - b as a signed count in [-period/2, period/2): negative when a is before b."""
    x = (a - b) & mask
    return x if x <= mask >> 1 else x - mask - 1
