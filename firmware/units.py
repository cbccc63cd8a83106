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


def gcd(a, b):
    """The greatest common divisor of a, b >= 0 (not every port's math module has one)."""
    while b:
        a, b = b, a % b
    return a


rem = 0  # remainder of the last muldiv
# The digit width of the last divisor: a plan divides by the same speed run after run.
_last_d = 0
_last_b = 1


def muldiv(x, y, d):
    """floor(x * y / d) for x, y >= 0 and d > 0, the remainder left in rem (a
    module global: returning a pair would allocate). Small ints
    throughout while x, y < 2**30, d < 2**28 and the result < 2**29: y is taken in digits
    of b bits, with d << b kept below 2**29, so no partial product passes 2**30."""
    global rem, _last_d, _last_b
    q = x // d
    r = x - q * d
    if d == _last_d:
        b = _last_b
    else:
        b = 1
        while (d << (b + 1)) < 0x20000000:
            b += 1
        _last_d = d
        _last_b = b
    mask = (1 << b) - 1
    sh = 0
    while (y >> sh) > mask:
        sh += b
    acc_q = 0
    acc_r = 0
    while sh >= 0:
        acc_r = (acc_r << b) + r * ((y >> sh) & mask)
        qq = acc_r // d
        acc_q = (acc_q << b) + qq
        acc_r -= qq * d
        sh -= b
    rem = acc_r
    return q * y + acc_q


class PlungerScale:
    """Volume in nL to plunger steps for one syringe bore and one plunger axis.

    steps = nl * 4 / (pi * bore²) * steps_per_mm / 1000, with bore in µm converted and the
    calibration factor in ppm (1 000 000 = nominal). Kept as one fraction k_num / k_den
    (wide ints, made once at load), converted through its nearest fraction p / q with both
    terms below 2**20 (a continued-fraction convergent, off by under 1/(q q') relative, so
    by less than 2**-18 of a step over a whole syringe): steps and nL come out in small
    ints with no allocation, as the shot cycle needs on a 32-bit port.
    """

    def __init__(self, axis, bore_um, cal_ppm=PPM):
        self.k_num = 4 * 1000 * 1000 * axis.num * PI_DEN * cal_ppm
        self.k_den = PI_NUM * bore_um * bore_um * axis.den * 1000 * PPM
        self.bore_um = bore_um
        self.cal_ppm = cal_ppm
        self.p, self.q = convergent(self.k_num, self.k_den, SMALL_TERM)

    def steps(self, nl):
        """Plunger steps that sweep nl nanolitres (nearest step)."""
        return ratio_round(nl, self.p, self.q)

    def nl(self, steps):
        """Nanolitres swept by a number of steps (nearest nL)."""
        return ratio_round(steps, self.q, self.p)

    def rate_sps(self, nl_s):
        """A flow in nL/s as a plunger speed in steps/s (at least 1)."""
        return max(1, self.steps(nl_s))


SMALL_TERM = 1 << 20


def convergent(num, den, limit):
    """The last continued-fraction convergent p / q of num / den with p, q < limit."""
    h1, h2, k1, k2 = 1, 0, 0, 1
    while den:
        a = num // den
        h = a * h1 + h2
        k = a * k1 + k2
        if h >= limit or k >= limit:
            break
        h1, h2, k1, k2 = h, h1, k, k1
        num, den = den, num - a * den
    return h1, k1


def ratio_round(x, p, q):
    """x p / q rounded to the nearest integer, halves away from zero; small ints while
    |x| < 2**30, p, q < 2**20 and the result < 2**29 (muldiv's digits)."""
    if x < 0:
        return -ratio_round(-x, p, q)
    r = muldiv(x, p, q)
    return r + 1 if 2 * rem >= q else r


def isqrt(n):
    """floor(sqrt(n)) for a small int, integers only (motion.isqrt seeds with a float)."""
    if n < 2:
        return n
    x = n
    y = (x + 1) // 2
    while y < x:
        x = y
        y = (x + n // x) // 2
    return x


def exp_neg_ppm(x_num, x_den):
    """e^(-x) in ppm for x = x_num / x_den >= 0, in integers ((1 - x/64)^64 after halving).

    Every product stays under 2^30, a small int on a 31-bit port: planning allocates
    nothing."""
    g = x_den // 1000000 + 1  # x_den to a million at most (x is kept to a millionth)
    x_num //= g
    x_den //= g
    if x_den <= 0 or x_num >= 20 * x_den:
        return 0 if x_num > 0 else PPM
    x_ppm = muldiv(x_num, PPM, x_den)
    # e^-x = (e^(-x/2^k))^(2^k); e^-y ~ 1 - y + y²/2 - y³/6 for y < 1/16.
    k = 0
    while x_ppm > (PPM >> 4) << k:
        k += 1
    y = x_ppm >> k
    h = y // 4
    y2 = h * h // 125000  # y²/2 in ppm
    v = PPM - y + y2 - y2 * y // (3 * PPM)
    for _ in range(k):
        a = v // 1000  # v² / PPM with v = 1000·a + b
        b = v - 1000 * a
        v = a * a + (2 * a * b + b * b // 1000) // 1000
    return v
