"""A line too fast to hold above the reference: each shot settles at the tissue's pressure,
read on the sensor, and a top-up sweeps what the line holds there.

Water through a fine needle empties a syringe's compliance C in a fraction of a second (its
time constant tau = R·C), faster than the syringe may be swept to keep the pressure up at
firmware/line.py's reference. Volume is still conserved: a point receives what the rod swept
less what the line holds more at the end than at the start, and a settled line holds C·P_t,
P_t the back-pressure of the tissue at that point (tens of kPa, several µL on a 3 mL
syringe). So the line's zero state is set once per syringe, by priming in air until the
pressure reads zero; each dose sweeps the commanded volume from the zero state, the hold
waits SETTLE_TAUS measured time constants (and a reading that stays put), and the top-up
then sweeps C·P for the settled reading P, after which the line settles again. The rod's
position then stands C·P_t past the zero state, which the next dose takes into account (it
sweeps that much less) - so each point receives its dose whatever P_t.

A dose too small to lift the line to the tissue's pressure settles lower and is topped up
again, as long as the reading climbs by a whole SETTLE_STEP_KPA. Nothing is ever taken back:
an estimate that errs leaves a point short, never over. A settled pressure above limit_kpa
is a blocked needle (or no tissue the gun may dose): OCCLUSION.

Shot path: small ints only, nothing allocates (the top-up move is planned at constant speed).
"""

from firmware import ticks
from firmware.axis import Move
from firmware.compat import const
from firmware.hal import NO_PRESSURE

SETTLE_TAUS = const(5)  # e^-5: 0.7 % of the excess left
DRAIN_TAUS = const(3)  # priming: after the reading shows zero, this much longer
TOPUPS_MAX = const(6)
SETTLE_STEP_KPA = const(2)  # a later top-up needs the reading this much higher (not rounding)
SETTLE_MAX_US = const(8000000)
POLL_US = const(20000)
POLL_MIN_US = const(1000)
WAIT = const(-1)
OCCLUDED = const(-2)


class Settle:
    """The settling hold and its top-ups, for one syringe's line."""

    def __init__(self):
        self.tau_us = 0  # measured while priming
        self.steps_x256 = 0  # plunger steps that sweep C times 256 kPa
        self.limit_kpa = 0
        self.t0 = 0
        self.start = 0
        self.last_kpa = -1
        self.last_t = 0
        self.done_kpa = 0  # the pressure the rod's top-ups have swept for so far
        self.n = 0
        self.topping = False
        self.wait_us = POLL_US
        self.move = Move(2)  # the top-up, at constant speed

    def set(self, tau_us, steps_x256, limit_kpa):
        self.tau_us = tau_us if tau_us < SETTLE_MAX_US // SETTLE_TAUS else \
            SETTLE_MAX_US // SETTLE_TAUS
        self.steps_x256 = steps_x256
        self.limit_kpa = limit_kpa

    def begin(self, now):
        """The dose move ended: start waiting."""
        self.start = now
        self.done_kpa = 0
        self.n = 0
        self.moved(now)

    def moved(self, now):
        """The top-up move ended (or the dose move, from begin): settle again."""
        self.topping = False
        self.t0 = now
        self.last_kpa = -1
        self.last_t = now
        self.wait_us = POLL_MIN_US

    def poll(self, kpa, now, mask):
        """WAIT (poll again in wait_us), OCCLUDED, 0 when done, else top-up steps."""
        if kpa == NO_PRESSURE:
            return 0
        if kpa != self.last_kpa:
            self.last_kpa = kpa
            self.last_t = now
        tau = self.tau_us
        if ticks.diff(now, self.start, mask) >= SETTLE_MAX_US:
            return 0  # short rather than long: what is left in the line stays there
        held = ticks.diff(now, self.t0, mask)
        still = ticks.diff(now, self.last_t, mask)
        need = SETTLE_TAUS * tau
        if held < need or still < tau:
            w = need - held
            if tau - still > w:
                w = tau - still
            if w > POLL_US:
                w = POLL_US
            self.wait_us = w if w > POLL_MIN_US else POLL_MIN_US
            return WAIT
        if kpa > self.limit_kpa:
            return OCCLUDED
        dp = kpa - self.done_kpa
        if self.n < TOPUPS_MAX and (dp >= SETTLE_STEP_KPA or (self.n == 0 and dp > 0)):
            self.done_kpa = kpa
            self.n += 1
            steps = self.steps_x256 * dp // 256
            if steps > 0:
                return steps
        return 0


def ln_ppm(a, b):
    """ln(a / b) in ppm for integers a >= b > 0 with a/b up to about 3 (2·atanh series)."""
    y = (a - b) * 1000000 // (a + b)
    y2 = y * y // 1000000
    term = y
    s = 0
    k = 1
    while term > 0 and k < 30:
        s += term // k
        term = term * y2 // 1000000
        k += 2
    return 2 * s
