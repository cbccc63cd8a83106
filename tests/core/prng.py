"""A seeded generator that gives the same numbers under CPython and MicroPython
(MicroPython's random has no Random class and its seeding differs)."""


class Prng:
    """xorshift64*: small, fast, same sequence on every interpreter."""

    def __init__(self, seed):
        self.state = (seed * 0x9E3779B97F4A7C15 + 1) & 0xFFFFFFFFFFFFFFFF

    def next(self):
        x = self.state
        x ^= x >> 12
        x ^= (x << 25) & 0xFFFFFFFFFFFFFFFF
        x ^= x >> 27
        self.state = x
        return ((x * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF) >> 32

    def randint(self, lo, hi):
        return lo + self.next() % (hi - lo + 1)
