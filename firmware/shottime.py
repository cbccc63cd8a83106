"""How long a shot takes: its moves and the hold the gun makes on its line, estimated once.

The one estimate behind the validator's pace and burst checks, `meso plan`'s shot and session
times and the preset paces (all through firmware/limits.py). It counts what the firmware
does, from what the firmware knows before it has primed: the board's mechanics and the
protocol's line at the maker's nominal figures (firmware/dosing.py's Line: the needle's
bore and length, the fluid's viscosity, the syringe's nominal compliance), never a figure
measured on a gun or a plant's truth. A gun that doses on the line pressure (firmware/line.py)
takes up the last relief at full speed, sweeps the dose at line.sweep_pct() of what the needle passes
at hold_kpa and holds until the pressure is back there; a line too fast to hold settles and
is topped up (firmware/settle.py); any other gun dwells the zone's or the board's hold.
Priming before a fill's first shot is estimated too (prime_us).

Integers only; not on the shot path (it allocates).
"""

from firmware import dosing, line, motion, settle
from firmware.units import PPM, PlungerScale, exp_neg_ppm

DWELL = 0  # the zone's or the board's fixed hold
PRESSURE = 1  # held until the line pressure is back at hold_kpa (line.py)
SETTLED = 2  # settled at the tissue's pressure and topped up (settle.py)
LN2_PPM = 693147


def ln_ppm(a, b):
    """ln(a / b) in ppm for integers a >= b > 0 (halvings, then settle.ln_ppm's series)."""
    k = 0
    while a > 2 * b:
        b *= 2
        k += 1
    return k * LN2_PPM + settle.ln_ppm(a, b)


class ShotTime:
    """One point shot's parts in µs, what holds it, and its total in ms."""

    def __init__(self):
        self.needle_us = 0  # in and out
        self.take_us = 0  # the take-up of the last relief, at full speed
        self.dose_us = 0
        self.dose_nl_s = 0  # the flow the dose sweeps at
        self.hold_us = 0
        self.topup_us = 0  # of which the top-up's move (SETTLED)
        self.relief_us = 0
        self.hold = DWELL
        self.tau_us = 0  # the line's nominal time constant R·C
        self.prime_us = 0  # priming a fill before its first shot (PRESSURE, SETTLED)

    def total_ms(self):
        us = self.needle_us + self.take_us + self.dose_us + self.hold_us + self.relief_us
        return (us + 999) // 1000

    def words(self):
        """What the shot is made of, for a message: "needle in and out 90, dose ..." (ms)."""
        text = "needle in and out %d, " % (self.needle_us // 1000)
        if self.take_us > 0:
            text += "take-up %d, " % (self.take_us // 1000)
        text += "dose %d at %s µL/s, " % (self.dose_us // 1000, _ul(self.dose_nl_s))
        if self.hold == PRESSURE:
            text += "hold %d until the line pressure is back at %d kPa (tau %s s)" % (
                self.hold_us // 1000, line.HOLD_KPA, _ul(self.tau_us // 1000))
        elif self.hold == SETTLED:
            text += "hold %d settling %d tau (%d ms) twice around a top-up" % (
                self.hold_us // 1000, settle.SETTLE_TAUS, self.tau_us // 1000)
        else:
            text += "hold %d" % (self.hold_us // 1000)
        return text + ", relief %d" % (self.relief_us // 1000)


def _ul(milli):
    """A thousandth-unit figure as text with one decimal: 6500 -> '6.5'."""
    return "%d.%d" % (milli // 1000, milli % 1000 // 100)


def estimate(board, syringe, fluid, depth_um, dose_nl, flow_nl_s, hold_ms=-1, held=True):
    """A point shot of dose_nl at depth_um, the zone dosing at flow_nl_s (limits.zone_flow_nl_s).
    fluid: (gauge, needle µm, viscosity in 1/1000 mPa·s) or None if unknown; held: the gun
    doses on its line pressure (compensated dosing, a pressure sensor on the board)."""
    t = ShotTime()
    car = board.carriage
    pl = board.plunger
    scale = PlungerScale(pl, syringe.bore_um)
    t.needle_us = 2 * motion.move_time_us(car.um_to_steps(depth_um), car.max_speed_sps,
                                          car.accel_sps2)
    relief = pl.um_to_steps(board.relief_um)
    v = min(scale.rate_sps(flow_nl_s), pl.max_speed_sps)
    ln = dosing.Line(syringe, fluid[0], fluid[1], fluid[2]) if fluid is not None else None
    if ln is None or not held:
        # The dose model's move (dose and take-up at the zone's flow) and the fixed hold.
        t.dose_us = motion.move_time_us(scale.steps(dose_nl) + relief, v, pl.accel_sps2)
        t.dose_nl_s = scale.nl(v)
        t.hold_us = 1000 * (board.hold_ms if hold_ms < 0 else hold_ms)
        t.relief_us = motion.move_time_us(relief, pl.max_speed_sps, pl.accel_sps2)
        return t
    c_nl_kpa = ln.c_nl_bar // 100
    tau = ln.tau_us()
    t.tau_us = tau if tau > 0 else 1
    # The relief: the dose model's, or the one priming sizes from C, whichever is longer
    # (the nominal C here; the gun's own measurement differs by the syringe's tolerance).
    backlash = pl.backlash_steps
    for nl in (dosing.model_relief_nl(board, ln), line.relief_nl(c_nl_kpa)):
        if scale.steps(nl) + backlash > relief:
            relief = scale.steps(nl) + backlash
    t.relief_us = motion.move_time_us(relief, pl.max_speed_sps, pl.accel_sps2)
    t.take_us = t.relief_us
    q_w = ln.flow_nl_s(line.HOLD_KPA)  # what priming measures on the nominal line
    max_flow = syringe.max_flow_nl_s
    if line.too_fast(t.tau_us // line.HOLD_KPA, q_w, max_flow):
        _settled(t, board, scale, ln, c_nl_kpa, dose_nl, v)
    else:
        pct = line.nominal_sweep_pct(pl, c_nl_kpa, scale.steps(c_nl_kpa * line.HOLD_KPA),
                                     t.tau_us // line.HOLD_KPA, dose_nl)
        _held(t, pl, scale, ln, dose_nl, line.sweep_nl_s(q_w, max_flow, pct))
    t.prime_us = _prime_us(t, pl, scale, ln, c_nl_kpa)
    return t


def _rise_mkpa(ln, flow_nl_s, us, tau_us, start_mkpa):
    """The pressure over the tissue's, in thousandths of a kPa, after us of flow_nl_s into
    the line from start_mkpa: it climbs towards flow·R with the time constant tau."""
    top = ln.pressure_kpa(flow_nl_s * 1000)
    return top - (top - start_mkpa) * exp_neg_ppm(us, tau_us) // PPM


def _held(t, pl, scale, ln, dose_nl, q_nl_s):
    """Pressure-held: the dose sweeps at q_nl_s from hold_kpa; the hold lasts until the
    pressure, falling towards the tissue's with tau, is back at hold_kpa."""
    v = min(scale.rate_sps(q_nl_s), pl.max_speed_sps)
    t.dose_nl_s = scale.nl(v)
    t.dose_us = motion.move_time_us(scale.steps(dose_nl), v, pl.accel_sps2)
    t.hold = PRESSURE
    ref_mkpa = (line.HOLD_KPA - dosing.TISSUE_KPA) * 1000
    end_mkpa = _rise_mkpa(ln, t.dose_nl_s, t.dose_us, t.tau_us, ref_mkpa)
    if end_mkpa > ref_mkpa:
        hold = t.tau_us * ln_ppm(end_mkpa, ref_mkpa) // PPM
        t.hold_us = hold if hold < line.HOLD_MAX_US else line.HOLD_MAX_US


def _settle_us(tau, over_mkpa):
    """One settle: SETTLE_TAUS, and the reading unchanged for one tau after its last change
    (when what is left falls under half a kPa, its rounding)."""
    taus_ppm = settle.SETTLE_TAUS * PPM
    if over_mkpa > 500:
        last = PPM + ln_ppm(over_mkpa, 500)
        if last > taus_ppm:
            taus_ppm = last
    return tau * taus_ppm // PPM


def _settled(t, board, scale, ln, c_nl_kpa, dose_nl, v):
    """Too fast to hold: the dose at the zone's flow from the tissue's pressure, a settle,
    the top-up of C·P at the tissue's nominal pressure, no faster than the dose, a settle."""
    pl = board.plunger
    t.hold = SETTLED
    t.dose_nl_s = scale.nl(v)
    t.dose_us = motion.move_time_us(scale.steps(dose_nl), v, pl.accel_sps2)
    tau = t.tau_us
    first = _settle_us(tau, _rise_mkpa(ln, t.dose_nl_s, t.dose_us, tau, 0))
    safe = pl.um_to_steps(board.safe_speed_um_s)
    sps = v if v < safe else safe
    steps = scale.steps(c_nl_kpa * dosing.TISSUE_KPA)
    t.topup_us = steps * PPM // (sps if sps > 0 else 1)
    rise = _rise_mkpa(ln, scale.nl(sps), t.topup_us, tau, 0)
    if rise > dosing.TISSUE_KPA * 1000:
        rise = dosing.TISSUE_KPA * 1000
    hold = first + t.topup_us + _settle_us(tau, rise)
    t.hold_us = hold if hold < settle.SETTLE_MAX_US else settle.SETTLE_MAX_US


def _prime_us(t, pl, scale, ln, c_nl_kpa):
    """Priming in air before a fill's first shot: the push to hold_kpa (friction's nominal
    share first), the fall that times the needle's flow, or a fast line's drain to zero
    and DRAIN_TAUS more, and the relief."""
    sps = line.prime_sps(scale, ln, c_nl_kpa, pl)
    push_us = scale.steps(c_nl_kpa * (dosing.STICTION_KPA + line.HOLD_KPA)) * PPM // sps
    u = t.tau_us // line.HOLD_KPA  # µs per kPa of fall at hold_kpa in air
    if t.hold == SETTLED:
        wait = t.tau_us * (ln_ppm(2 * line.HOLD_KPA, 1) + settle.DRAIN_TAUS * PPM) // PPM
    else:
        wait = line.SETTLE_KPA * u
        if wait > line.SETTLE_US + u:
            wait = line.SETTLE_US + u
        wait += u
        if wait > line.SETTLE_MAX_US:
            wait = line.SETTLE_MAX_US
    return push_us + wait + t.relief_us
