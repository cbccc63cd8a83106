"""Unit conversions in integers: µm, nL, steps, ticks. No step count depends on float width.

Floats enter only from board and protocol data and are rounded once, on load, to whole µm
or nL (milli()). From there on everything is integer arithmetic, so the RP2040's single
precision floats and the unix port's doubles give the same steps. Volume to steps is
computed on cumulative volume (steps of the running total), so rounding never accumulates
over a session.
"""

# pi as a ratio of integers, exact to 1e-16: the syringe area needs no float.
PI_NUM = 3141592653589793
PI_DEN = 1000000000000000
PPM = 1000000


def whole(x):
    """Round a non-negative number to the nearest integer (halves up), without round()."""
    if isinstance(x, int):
        return x
    if x < 0:
        return -int(-x + 0.5)
    return int(x + 0.5)


def milli(x):
    """x (mm, µL, s...) as a whole number of thousandths (µm, nL, ms...)."""
    if isinstance(x, int):
        return x * 1000
    return whole(x * 1000)


def div_round(a, b):
    """a / b rounded to the nearest integer, halves away from zero (b != 0)."""
    if b < 0:
        a, b = -a, -b
    if a >= 0:
        return (2 * a + b) // (2 * b)
    return -((-2 * a + b) // (2 * b))


class PlungerScale:
    """Volume in nL to plunger steps for one syringe bore and one plunger axis.

    steps = nl * 4 / (pi * bore²) * steps_per_mm / 1000, with bore in µm converted and the
    calibration factor in ppm (1 000 000 = nominal). Kept as one fraction k_num / k_den.
    """

    def __init__(self, axis, bore_um, cal_ppm=PPM):
        self.k_num = 4 * 1000 * 1000 * axis.num * PI_DEN * cal_ppm
        self.k_den = PI_NUM * bore_um * bore_um * axis.den * 1000 * PPM
        self.bore_um = bore_um
        self.cal_ppm = cal_ppm

    def steps(self, nl):
        """Plunger steps that sweep nl nanolitres (nearest step)."""
        return div_round(nl * self.k_num, self.k_den)

    def nl(self, steps):
        """Nanolitres swept by a number of steps (nearest nL)."""
        return div_round(steps * self.k_den, self.k_num)

    def rate_sps(self, nl_s):
        """A flow in nL/s as a plunger speed in steps/s (at least 1)."""
        return max(1, self.steps(nl_s))
