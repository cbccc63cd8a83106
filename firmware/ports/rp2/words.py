"""Step segments expanded into the 32-bit words the RP2040 step PIO program executes.

A word is one run of equal step intervals: bits 0..6 hold count - 1 (1..128 steps), bits
7..31 the PIO delay, which is the interval in step-clock ticks minus the program's fixed
cycles per step (OVERHEAD_TICKS). Segments with add == 0 (cruise, constant-speed moves)
become a few words; segments with add != 0 (ramps) become one word per step, because the
PIO cannot add. fill() resumes where it stopped, so a move is expanded a ring-half at a time
while the PIO executes the half before. Viper: no allocation, so it runs in a hard IRQ.
"""

import micropython
from micropython import const

# PIO cycles per step outside the delay loop (see steps.step_program).
OVERHEAD_TICKS = const(23)
COUNT_BITS = const(7)
MAX_RUN = const(128)  # 1 << COUNT_BITS steps per word at most
MAX_DELAY = const(0x1FFFFFF)  # 25 bits
MIN_INTERVAL_TICKS = const(31)  # keeps the step pin low >= 100 ns at 125 MHz
MAX_INTERVAL_TICKS = const(0x1FFFFFF + 23)  # 268 ms at 125 MHz: 3.7 steps/s

# Expansion state, an array('i') of ST_WORDS: where fill() resumes.
ST_SEG = const(0)  # next segment to open
ST_NSEG = const(1)
ST_LEFT = const(2)  # steps left in the open segment
ST_INTERVAL = const(3)  # interval of the next step, ticks
ST_ADD = const(4)
ST_STEPS = const(5)  # steps expanded so far
ST_WORDS = const(6)


def start(st, nseg):
    """Reset st to expand a move of nseg segments from its first step."""
    st[ST_SEG] = 0
    st[ST_NSEG] = nseg
    st[ST_LEFT] = 0
    st[ST_INTERVAL] = 0
    st[ST_ADD] = 0
    st[ST_STEPS] = 0


@micropython.viper
def fill(segs: ptr32, st: ptr32, out: ptr32, room: int) -> int:
    """Write up to room words for the next steps into out; return how many (0: move done).

    segs holds 32-bit (interval, count, add) triples (array 'i'); st is the state above."""
    # Sign-extends a 32-bit word on a 64-bit host (no-op on the RP2040); written so that the
    # compiler does not fold it into a constant too big for a small int.
    sign = 1
    sign <<= 31
    seg = int(st[0])
    nseg = int(st[1])
    left = int(st[2])
    interval = int(st[3])
    add = ((int(st[4]) ^ sign) - sign)
    steps = int(st[5])
    n = 0
    while n < room:
        if left <= 0:
            if seg >= nseg:
                break
            interval = int(segs[3 * seg])
            left = int(segs[3 * seg + 1])
            add = (int(segs[3 * seg + 2]) ^ sign) - sign
            seg += 1
            continue
        run = 1
        if add == 0:
            run = left
            if run > MAX_RUN:
                run = MAX_RUN
        out[n] = ((interval - OVERHEAD_TICKS) << COUNT_BITS) | (run - 1)
        interval += add * run
        left -= run
        steps += run
        n += 1
    st[0] = seg
    st[2] = left
    st[3] = interval
    st[4] = add
    st[5] = steps
    return n


def checked_steps(segs, nseg):
    """Steps in a move, or -1 if a step interval is outside MIN..MAX_INTERVAL_TICKS."""
    steps = 0
    for i in range(nseg):
        b = 3 * i
        interval = segs[b]
        count = segs[b + 1]
        last = interval + segs[b + 2] * (count - 1)
        if count < 0 or min(interval, last) < MIN_INTERVAL_TICKS:
            return -1
        if max(interval, last) > MAX_INTERVAL_TICKS:
            return -1
        steps += count
    return steps
