"""Step segments one interval at a time, for a timer interrupt that times each step itself.

The pyboard's step timer raises an interrupt per step and loads the interval after next;
next_interval() is what it calls: viper, allocation-free, resumable from a small state array.
"""

import micropython
from micropython import const

# State, an array('i') of ST_WORDS.
ST_SEG = const(0)  # next segment to open
ST_NSEG = const(1)
ST_LEFT = const(2)  # steps left in the open segment
ST_INTERVAL = const(3)  # interval of the next step, ticks
ST_ADD = const(4)
ST_WORDS = const(5)


def start(st, nseg):
    """Reset st to walk a move of nseg segments from its first step."""
    st[ST_SEG] = 0
    st[ST_NSEG] = nseg
    st[ST_LEFT] = 0
    st[ST_INTERVAL] = 0
    st[ST_ADD] = 0


@micropython.viper
def next_interval(segs: ptr32, st: ptr32) -> int:
    """The interval (ticks) before the next step of the move, or 0 when it has no more."""
    sign = 1
    sign <<= 31  # sign-extends 32-bit words on a 64-bit host; a no-op on the MCU
    left = int(st[2])
    while left <= 0:
        seg = int(st[0])
        if seg >= int(st[1]):
            return 0
        st[3] = segs[3 * seg]
        left = int(segs[3 * seg + 1])
        st[4] = segs[3 * seg + 2]
        st[0] = seg + 1
    interval = (int(st[3]) ^ sign) - sign
    st[3] = interval + ((int(st[4]) ^ sign) - sign)
    st[2] = left - 1
    return interval
