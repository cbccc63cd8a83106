"""Dosing against the measured line pressure: each shot ends where the last one did.

A syringe's compliance C (stopper, barrel, drive train, any air) holds tens of µL at the
pressures a fine needle needs, and its true figure is not known to the gun. Volume is
conserved, though: what a shot puts into the skin is what the rod swept, less what the
line holds more at the end than at the start. So every shot is made to end in the same
state, read on the pressure sensor: the hold lasts until the pressure falls back to the
working pressure hold_kpa, and the relief then pulls back by the same steps the next dose
first takes up again. Whatever C, the glide friction, the needle's resistance or the tissue's
back-pressure, each shot then delivers what the rod's net travel swept (the calibration).

The reference state is set once per syringe (and after a fault or a non-point shot) by
priming in air: the plunger creeps forward until the pressure reads hold_kpa, which also
gives a first measurement of C (volume swept per kPa) to size the relief; it then relieves.
A line that empties faster than the syringe may be swept to keep it at hold_kpa (water
through a fine needle) is found so while priming; it drains in air to zero instead, and its
shots settle at the tissue's pressure and are topped up from it (firmware/settle.py). A board
without a sensor (pressure NO_PRESSURE) keeps the dose model of firmware/dosing.py.

The shot machine calls hold_us()/hold_begin()/hold_done() around HOLD; the moves (priming,
the two-part dose move) are in firmware/linemove.py. The hold's checks run on the shot path:
small ints only, nothing allocates.
"""

from firmware import settle, ticks
from firmware.axis import Move
from firmware.compat import const
from firmware.hal import NO_PRESSURE
from firmware.units import PPM, exp_neg_ppm, isqrt, muldiv, ratio_round
from firmware.wire.modes import MODE_PERFUSION

HOLD_KPA = const(100)  # working pressure: above the skin's back-pressure, well under the limit
TISSUE_KPA = const(15)  # the dermis's nominal back-pressure at the tip
PRIME_LO_KPA = const(20)  # the compliance is measured from here to hold_kpa while priming,
PRIME_HI_KPA = const(60)  # and from here for the needle's flow at hold_kpa: air in the fill
# makes the line softer at low pressure, and q_w = C·(fall rate) wants C near hold_kpa
PRIME_S_DEN = const(3)  # priming sweeps the nominal charge in about 1/3 s
HOLD_MAX_US = const(8000000)  # a tissue pressing back above hold_kpa: stop waiting
HOLD_POLL_US = const(20000)  # longest wait between pressure readings while holding
POLL_MIN_US = const(1000)
LAST_SHARE = const(25)
NEAR_KPA = const(2)
DELTA_MAX_MKPA = const(20000)  # the relief's share is a few kPa: more is a bad rate
SLOW_US_PER_KPA = const(1000000)  # a fall slower than this lets out nothing worth a kPa
RELIEF_KPA = const(40)  # the relief empties C over hold_kpa plus this...
RELIEF_PCT = const(150)  # ...times this margin (a soft stopper, air)
PRIME_CHARGE_X = const(4)  # priming gives up after this many nominal charges
# Point, burst and continuous shots hold on the pressure; perfusion boluses (MODE_PERFUSION)
# keep their own timing between boluses.
OCCLUDED_US = const(2000000)  # holding this long without the pressure falling: blocked
OCCLUDED_KPA = const(1)
# After the push, the pressure is watched falling in air, from one change of the reading to
# a later one (each is where the true pressure crosses a half kPa: no rounding error), for
# SETTLE_KPA or at least SETTLE_US (at most SETTLE_MAX_US): the needle's flow at hold_kpa.
# Each change is seen up to a main-loop poll late (about 1.7 ms on an RP2040 with a move
# running), so the span is at least SETTLE_MIN_US: a few kPa of a fast fall take a few ms,
# and timed over so few polls a line near the fast limit is put on either side of it.
SETTLE_US = const(250000)
SETTLE_MIN_US = const(20000)
SETTLE_MAX_US = const(1500000)
SETTLE_KPA = const(3)
SWEEP_PCT = const(130)  # doses sweep at least at this share of that flow: P stays above
# hold_kpa and, on a long dose, under about 1.3 hold_kpa over the tissue's (more would leak
# back along the needle). A dose short against the line's charge sweeps faster (sweep_pct):
SWEEP_MAX_PCT = const(500)
LIFT_KPA = const(2)  # the hold needs the line this far above its end level to time the fall
LIFT_X = const(3)  # and that level is up to the relief's let-out above the reference, from a
# start as far below it (the take-up lets out as much); the rest is margin for the ramps.
# What the dose really lifts is read at each hold (its top reading): a line that fell short
# of its end level and LIFT_KPA sweeps the next doses faster, by this much per kPa short...
BOOST_PCT_PER_KPA = const(40)
BOOST_MAX_PCT = const(400)
TOP_PCT = const(130)  # ...and slower again over 1.3 hold_kpa (leak back) or 3 kPa over it
IDLE = const(0)
PUSH = const(1)
SETTLE = const(2)
BACK = const(3)
DRAIN = const(4)
DRAIN_MAX_US = const(5000000)
FAST_US_PER_KPA = const(2000)  # falling faster in air from hold_kpa (tau < 0.2 s): fast
FAST_LIMIT_PCT = const(50)  # a fast line settled above this share of the board's limit:
# blocked, or a tissue pressing back more than a dose may be pushed against
# A continuous pass (plan_pass) sweeps at the zone's flow from where the line passes it against
# the nominal tissue, and stops sweeping once what is left to give is C times this: the hold
# gives it, needle still, and times the fall it needs for the relief's let-out meanwhile...
PASS_FALL_KPA = const(3)
PASS_HELD_PCT = const(50)  # ...or this share of what the line holds over the tissue at that
# flow (tau times the flow), if less: a line only that far over the tissue falls no further
PASS_EXTRA_KPA = const(40)  # its move is planned longer by C times this: a tissue pressing
# back more than the nominal keeps that much more in the line, and the sweep makes it up


class Reference:
    """The pressure-referenced state of one syringe's line."""

    def __init__(self, dosing, board, syringe):
        self.d = dosing
        self.board = board
        self.max_flow_nl_s = syringe.max_flow_nl_s
        self.q_w_nl_s = 0  # the needle's flow at hold_kpa, in air, measured while priming
        self.settle_kpa = 0  # the reading at the last poll
        self.settle_t = 0  # when the push stopped
        self.first_kpa = -1  # the reading after its first fall, and when
        self.first_t = 0
        self.hold_kpa = HOLD_KPA
        # Nominal compliance, nL per kPa (the maker's figure), until priming measures it.
        self.c_nl_kpa = dosing.line.c_nl_bar // 100 if dosing.line is not None else 0
        self.charge_nl = self.c_nl_kpa * HOLD_KPA  # the nominal charge at the reference
        self.due = True  # prime before the next shot
        self.phase = IDLE
        self.ok = False  # a prime reached hold_kpa: shots hold on the pressure
        self.lo_steps = -1
        self.lo_kpa = 0
        self.hi_steps = -1
        self.hi_kpa = 0
        self.hi_int = 0  # p_int when the push passed PRIME_HI_KPA
        self.hi_nl = 0  # swept from there to the stop, and the rise meanwhile
        self.hi_dk = 0
        self.holding = False
        self.t0 = 0
        self.prev_kpa = -1
        self.prev_t = 0
        self.us_per_kpa = 0  # how fast the pressure falls while holding
        self.end_at = -1  # when the hold ends, once the last level is crossed
        self.fine = True  # the last wait was short enough to time a crossing
        self.occluded = False  # the pressure stopped falling while holding: blocked needle
        self.top_kpa = -1
        self.tb = 0  # the first fall of the reading seen at a fine poll: when, to what
        self.kb = -1
        self.mid_dk = 0  # the middle of the span the rate was taken over, tenths of a kPa
        self.poll_t = 0  # the hold's last poll
        self.boost_pct = 0  # added to a dose's sweep share, learnt from the holds' tops
        self.dmk_u = -1  # the hold's let-out, worked out for this rate and span
        self.dmk_mid = -1
        self.dmk = 0
        self.air_us_per_kpa = 0  # how fast it fell in air at hold_kpa while priming
        # The level the hold falls back to, thousandths of a kPa of true pressure: the
        # reference state's (the reading's last half kPa under hold_kpa), or a pass's.
        self.level_mkpa = HOLD_KPA * 1000 - 500
        self.passing = False  # the shot planned is a continuous pass (plan_pass)
        self.pass_aim_kpa = 0  # where its take-up leaves the line
        self.pass_take = 0  # its move's take-up steps, before the sweep
        self.pass_off_nl = 0  # the line past where the take-up is aimed, at its end
        self.pass_nl = 0  # what it gives
        self.pass_held_nl = 0  # what is left to give when its sweep stops
        self.steps_w = 0  # relief steps that take the line from hold_kpa to zero
        pl = board.plunger
        self.v_sps = pl.max_speed_sps
        self.acc_steps, self.acc_ms, self.ms2_per_step_k = ramp_figures(pl)
        self.wait_us = HOLD_POLL_US
        self.scratch = Move(320)  # the dose part of a two-part dose move
        self.take_move = Move(192)  # its take-up part
        charge_nl = self.c_nl_kpa * (HOLD_KPA + 60)
        self.prime_steps = dosing.scale.steps(charge_nl * PRIME_CHARGE_X) + 4 * pl.backlash_steps
        self.prime_sps = prime_sps(dosing.scale, dosing.line, self.c_nl_kpa, pl)
        self.fast = False  # too fast to hold: shots settle and are topped up (settle.py)
        self.settle = settle.Settle()
        self.limit_kpa = board.pressure_max_kpa * FAST_LIMIT_PCT // 100
        self.p_int = 0  # while pushing from PRIME_LO_KPA: the pressure's integral, kPa·µs
        self.p_t = 0
        self.push_nl = 0  # swept from PRIME_LO_KPA to the stop, and the rise meanwhile
        self.push_dk = 0
        self.zero_t = -1  # draining: when the reading first showed zero
        self.fell0 = 0  # the fall that found the line fast: kPa, in us
        self.us0 = 0
        self.tau_us = 0
        self.topup_sps = 0
        self.take0 = 0  # priming: the relief the push takes up first, steps

    def carry(self, old):
        """Take over what priming measured on this line under another protocol's model (C
        already taken: the relief's steps follow from it in this model's frame)."""
        self.q_w_nl_s = old.q_w_nl_s
        self.air_us_per_kpa = old.air_us_per_kpa
        self.steps_w = self.d.scale.steps(self.c_nl_kpa * self.hold_kpa)
        self.boost_pct = old.boost_pct

    def share_ramp(self, ramp):
        """Plan on the plunger's ramp (motion.Ramp), fitted at start-up, not one of our own."""
        self.scratch.prof.ramp = ramp
        self.take_move.prof.ramp = ramp

    # -- priming (before the trigger: may allocate) ---------------------------

    def measured(self, kpa, pushed_steps):
        """The push stopped at kpa >= hold_kpa: C is the volume swept per kPa on the way."""
        if self.lo_steps >= 0 and kpa > self.lo_kpa:
            self.push_nl = self.d.scale.nl(pushed_steps - self.lo_steps)
            self.push_dk = kpa - self.lo_kpa
            c = self.push_nl // self.push_dk
            if c > 0:
                self.c_nl_kpa = c
        self.hi_nl = 0
        self.hi_dk = 0
        if self.hi_steps >= 0 and kpa > self.hi_kpa:
            self.hi_nl = self.d.scale.nl(pushed_steps - self.hi_steps)
            self.hi_dk = kpa - self.hi_kpa

    def primed(self, kpa, fell_kpa, us, syringe_nl, fall_kpa=-1):
        """The reading just fell to kpa (the true pressure crossed kpa + 1/2), fell_kpa in us
        since its first fall, the rod still: the needle's flow near hold_kpa is C times that
        rate. A hold ends where the reading falls under hold_kpa (hold_kpa - 1/2): the rod
        stands C·(kpa + 1 - hold_kpa) of volume past that state. Size the relief from C.
        (fall_kpa: where that fall ended, when the reading has gone on falling since: a
        drain that found a gel, not a fast line.)"""
        d = self.d
        drained = fall_kpa >= 0
        self.boost_pct = 0
        if us > 0 and fell_kpa > 0:
            # The push swept C·ΔP and what the needle let out in air meanwhile, ∫P dt / R;
            # this fall gives tau = R·C (its time per kPa times the pressure it fell at), so
            # C = swept / (ΔP + ∫P dt / tau), as primed_fast() has it for a fast line.
            if fall_kpa < 0:
                fall_kpa = kpa
            tau_ms = (us // fell_kpa) * (fall_kpa + (fell_kpa + 1) // 2) // 1000
            if tau_ms > 0 and self.push_dk > 0:
                c = self.push_nl * tau_ms // (self.push_dk * tau_ms + self.p_int // 1000)
                if c > 0:
                    self.c_nl_kpa = c
            # The needle's flow at hold_kpa is C there times the fall's rate: C from the
            # push's top part, where air in the fill (softer at low pressure) counts less.
            c_hi = self.c_nl_kpa
            if tau_ms > 0 and self.hi_dk > 0:
                out_k = (self.p_int - self.hi_int) // 1000
                c = self.hi_nl * tau_ms // (self.hi_dk * tau_ms + out_k)
                if 0 < c < c_hi:
                    c_hi = c
            self.q_w_nl_s = c_hi * fell_kpa * 1000 // (us // 1000 if us >= 1000 else 1)
            self.air_us_per_kpa = us // fell_kpa
            if self.air_us_per_kpa > 8000000:
                self.air_us_per_kpa = 8000000  # keeps the hold's products small ints
        self.steps_w = d.scale.steps(self.c_nl_kpa * self.hold_kpa)
        # The relief that follows lets out, in air, what a hold in the skin leaves in for
        # its own relief: count it as given already. It starts from where the line stands
        # now (kpa + 1/2), nothing pressing back, so the fall there is slower than the one
        # at hold_kpa by that ratio. (A gel found by the drain stands far lower, where its
        # flow has died away; it is counted from hold_kpa, as before: its C, from a push
        # whose outflow P/R over-counts for a gel, comes out low by about as much - seen on
        # the mismatch sweep's gel corners, first shots 3-10 % off when counted from there.)
        air_mkpa = 0
        air = self.air_us_per_kpa
        if air > 0:
            start_dk = self.hold_kpa * 10 if drained else kpa * 10 + 5
            air_mkpa = self.delta_mkpa(muldiv(air, self.hold_kpa * 10, start_dk))
        over = d.scale.steps(self.c_nl_kpa * (kpa + 1 - self.hold_kpa)
                             - self.c_nl_kpa * air_mkpa // 1000)
        # Rebase the running total here: the stopper stands for syringe_nl, plus the
        # overshoot, and nothing needs priming any more.
        d.base_nl = syringe_nl
        d.prime_nl = 0
        d.cut = False
        d.stopper = over
        d.dose_end = over
        steps = d.scale.steps(relief_nl(self.c_nl_kpa)) + d.backlash
        if steps > d.relief_steps:
            d.relief_steps = steps
        # A line that empties faster than the syringe may be swept (water through a wide
        # needle) cannot be held above hold_kpa while dosing: the dose model's fixed hold
        # then lets it settle (its time constant is a few ms), with the relief sized here.
        self.ok = self.q_w_nl_s == 0 or self.q_w_nl_s * SWEEP_PCT // 100 <= self.max_flow_nl_s

    def too_fast(self, fell_kpa, us):
        """Whether the fall seen so far (fell_kpa in us, from hold_kpa) says the needle
        passes more at hold_kpa than the syringe may be swept to keep it there, or empties
        the line too fast for the hold's readings to time its end (tau = R·C short)."""
        if fell_kpa <= 0:
            return False
        q = self.c_nl_kpa * fell_kpa * 1000 // (us // 1000 if us >= 1000 else 1)
        return too_fast(us // fell_kpa, q, self.max_flow_nl_s)

    def drain_poll(self, kpa, now, mask, first_kpa, first_t):
        """Priming a fast line, the rod still: time the fall from first_kpa (the true pressure
        crossing first_kpa + 1/2 at first_t) to half of it for tau, then wait for the
        reading to show zero and DRAIN_TAUS more. True once drained."""
        if self.tau_us == 0 and 2 * kpa < first_kpa:
            us = ticks.diff(now, first_t, mask)
            ln = settle.ln_ppm(2 * first_kpa + 1, 2 * kpa + 1)
            self.tau_us = us * 1000 // (ln // 1000) if ln >= 1000 else us
            if self.tau_us < 1:
                self.tau_us = 1
        if kpa <= 0 and self.zero_t < 0:
            self.zero_t = now
        if self.tau_us > 0 and self.zero_t >= 0 and \
                ticks.diff(now, self.zero_t, mask) >= settle.DRAIN_TAUS * self.tau_us:
            return True
        return ticks.diff(now, first_t, mask) >= DRAIN_MAX_US

    def drained(self):
        """The drain ended with the reading at zero for DRAIN_TAUS (else it ran out of time:
        a fluid whose flow dies away at low pressure, a shear-thinning gel, not a fast line)."""
        return self.tau_us > 0 and self.zero_t >= 0

    def primed_fast(self, syringe_nl):
        """Drained in air: the rod stands at the line's zero state. C from the push, less
        what the needle let out on the way (its integral of P over tau, in air)."""
        d = self.d
        tau = self.tau_us
        if tau > 0 and self.push_dk > 0:
            c = self.push_nl * tau // (self.push_dk * tau + self.p_int)
            if c > 0:
                self.c_nl_kpa = c
            self.q_w_nl_s = self.c_nl_kpa * self.hold_kpa * 1000 // (tau // 1000 + 1)
        self.settle.set(tau, d.scale.steps(self.c_nl_kpa * 256), self.limit_kpa)
        self.steps_w = d.scale.steps(self.c_nl_kpa * self.hold_kpa)
        d.base_nl = syringe_nl
        d.prime_nl = 0
        d.cut = False
        d.stopper = 0
        d.dose_end = 0
        steps = d.scale.steps(relief_nl(self.c_nl_kpa)) + d.backlash
        if steps > d.relief_steps:
            d.relief_steps = steps
        self.ok = False
        self.fast = tau > 0

    # -- the hold (shot path: small ints) --------------------------------------
    def hold_us(self, zone):
        held = (self.ok or self.fast) and zone.mode != MODE_PERFUSION
        return 0 if held else zone.hold_ms * 1000

    def hold_begin(self, now, mode):
        self.holding = (self.ok or self.fast) and mode != MODE_PERFUSION
        self.occluded = False
        self.top_kpa = -1
        if ((self.ok or self.fast) and not self.holding) or self.passing:
            self.due = True  # a bolus or a pass leaves the line elsewhere: prime again
        if self.fast and self.holding:
            self.settle.begin(now)
            self.wait_us = POLL_MIN_US
            return
        self.t0 = now
        self.poll_t = now
        self.prev_kpa = -1
        self.us_per_kpa = 0
        self.kb = -1
        self.mid_dk = 0
        self.dmk_u = -1
        self.fine = True
        self.end_at = -1
        self.wait_us = POLL_MIN_US

    def hold_done(self, kpa, now, mask):
        """True once the pressure is back at the reference (or it will not come back);
        then what the dose lifted the line to tells the next doses' sweep (boost_pct)."""
        held = self.holding and not self.fast
        if not self._hold(kpa, now, mask):
            return False
        if self.passing:
            self.end_pass()  # the next shot plans its own level (and primes first)
            return True
        if held and kpa != NO_PRESSURE:
            dmk = self.held_let_out() if self.us_per_kpa > 0 else self.delta_mkpa(
                self.air_us_per_kpa)
            short = (self.hold_kpa + LIFT_KPA) * 1000 - 500 + dmk - self.top_kpa * 1000
            if self.top_kpa * 100 > self.hold_kpa * TOP_PCT or short < -3000:
                self.boost_pct -= 10
            elif short > 0:
                self.boost_pct += (short // 1000 + 1) * BOOST_PCT_PER_KPA
            if self.boost_pct < 0:
                self.boost_pct = 0
            elif self.boost_pct > BOOST_MAX_PCT:
                self.boost_pct = BOOST_MAX_PCT
        return True

    def _hold(self, kpa, now, mask):
        """hold_done() proper: True once the pressure is back at the reference.

        The relief that follows still lets some fluid out while the pressure falls through
        the tissue's: more at a point that presses back less. That much is left in: the
        hold ends delta kPa above the reference, delta = what the relief will let out / C,
        worked out from the fall rate here against the one in air (their ratio is
        (hold_kpa - tissue) / hold_kpa, C cancels) and the relief's own motion."""
        if not self.holding:
            return True
        held = ticks.diff(now, self.t0, mask)
        if kpa == NO_PRESSURE:
            self.holding = False
            return True
        if held >= HOLD_MAX_US:
            # The tissue presses back near hold_kpa: this point keeps what it took. What
            # the line holds above the reference would come out at the next point: the
            # running total counts it as given, so the next dose sweeps that much less.
            if kpa >= self.hold_kpa and not self.passing:  # (a pass primes again)
                # The reading is the true pressure to 1/2 kPa; the target hold_kpa - 1/2 +
                # delta (in thousandths of a kPa, as the hold would have ended).
                dmk = self.held_let_out() if self.us_per_kpa > 0 else 0
                # (Split so every product stays a small int on a 32-bit port.)
                c = self.c_nl_kpa
                self.d.base_nl += c * (kpa - self.hold_kpa) + c * (500 - dmk) // 1000
            self.holding = False
            return True
        if kpa > self.top_kpa:
            self.top_kpa = kpa
        if held >= OCCLUDED_US and kpa > self.top_kpa - OCCLUDED_KPA:
            # A compliant syringe takes a whole dose into a blocked needle well under the
            # occlusion limit; the pressure that does not fall gives it away.
            self.occluded = True
            self.holding = False
            return False
        if self.end_at >= 0:
            left = ticks.diff(self.end_at, now, mask)
            if left <= 0:
                self.holding = False
                return True
            self.wait_us = left
            return False
        falling = 0 <= self.prev_kpa and kpa < self.prev_kpa
        if self.fine and ticks.diff(now, self.poll_t, mask) > self.wait_us + POLL_MIN_US:
            self.fine = False  # this poll came late (a pause in the loop): no crossing time
        self.poll_t = now
        if falling and self.fine:
            # A change of the reading seen at a fine poll is a half-kPa crossing: the rate
            # from the first such change to this one is a true one, over the longest span
            # the hold has (a rate over one interval is off by a poll in a few ms).
            if self.kb >= 0:
                self.us_per_kpa = ticks.diff(now, self.tb, mask) // (self.kb - kpa)
                self.mid_dk = (self.kb + kpa) * 5 + 5
            else:
                self.tb = now
                self.kb = kpa
        if kpa != self.prev_kpa:
            self.prev_kpa = kpa
        u = self.us_per_kpa
        if u <= 0:
            # No rate yet: end where the reading falls under hold_kpa (its true - 1/2);
            # meanwhile poll finely so the first crossings are seen when they happen: an
            # eighth of a kPa's fall in air, 1-2 ms (a line of short tau lets out most in
            # its relief, and its rate must be right to a few %).
            if kpa * 1000 + 500 <= self.level_mkpa:
                self.holding = False
                return True
            w = self.air_us_per_kpa >> 3
            self.wait_us = POLL_MIN_US if w < POLL_MIN_US else (
                w if w < 2 * POLL_MIN_US else 2 * POLL_MIN_US)
            self.fine = True
            return False
        dmk = self.held_let_out()
        # The target is the level (hold_kpa - 1/2) + delta; a fall of the reading to kpa is
        # the true pressure crossing kpa + 1/2 now: what is left, in thousandths of a kPa.
        left = kpa * 1000 + 500 - self.level_mkpa - dmk
        if self.passing and self.under_tissue(dmk):
            self.holding = False  # the line will not fall that far: it keeps what is left
            return True
        if falling and left <= 1000:
            if left <= 0:
                self.holding = False  # already there (a slow dose): nothing to wait for
                return True
            wait = left * (u // 100) // 10
            self.end_at = ticks.add(now, wait, mask)
            self.wait_us = wait if wait > 0 else 1
            return False
        if left <= 0:
            self.holding = False
            return True
        level = (self.level_mkpa + 500 + dmk) // 1000 + 1
        self.set_wait(kpa, level, u)
        return False

    def under_tissue(self, dmk):
        """Whether a pass's hold would end under what the tissue presses back plus a kPa
        (the line then never falls there): the fall rate says how far over the tissue's the
        line stood where it was timed, air·hold_kpa/u (C and R cancel)."""
        over_mkpa = muldiv(self.air_us_per_kpa, self.hold_kpa * 1000, self.us_per_kpa)
        return self.level_mkpa + dmk < self.mid_dk * 100 - over_mkpa + 1000

    # -- a continuous pass (plan_pass before the trigger; pass_left while it sweeps) --
    def plan_pass(self, take, dose_nl, q_nl_s, off_steps):
        """Plan a continuous pass of dose_nl at the zone's q_nl_s, its move taking take
        steps of the last relief up first: returns the take-up steps to leave out.
        off_steps: how far past the reference state the take-up would leave the rod (a
        first shot after priming: what priming's relief let out in air, and where its fall
        stopped).

        Taken up to hold_kpa, the line would empty C·(hold_kpa - tissue), many times a
        pass's thread at its flow, in the first seconds. It is taken up only to where the
        needle passes q_nl_s against the nominal tissue, R·q over it (R·q_w = hold_kpa in
        air); what the tissue really presses back shows as the line rising or falling while
        the pass sweeps, which pass_left() counts."""
        aim = TISSUE_KPA + muldiv(self.hold_kpa, q_nl_s, self.q_w_nl_s)
        if aim > self.hold_kpa:
            aim = self.hold_kpa
        skip = self.d.scale.steps(self.c_nl_kpa * (self.hold_kpa - aim))
        if skip > take:
            skip = take
        self.passing = True
        self.pass_aim_kpa = aim
        self.pass_take = take - skip
        self.pass_nl = dose_nl
        self.pass_off_nl = self.d.scale.nl(off_steps)
        # tau = R·C = air_us_per_kpa·hold_kpa; what the line holds over the tissue at q.
        tau_ms = self.air_us_per_kpa * self.hold_kpa // 1000
        held = muldiv(tau_ms, q_nl_s, 1000) * PASS_HELD_PCT // 100
        fall = self.c_nl_kpa * PASS_FALL_KPA
        self.pass_held_nl = fall if fall < held else held
        return skip

    def pass_left(self, moved_steps, kpa):
        """While a pass sweeps (the plunger moved_steps into its move, the reading kpa): what
        is left to give, nL. The skin has had what the sweep swept less what the line holds
        more than where the take-up left it. Sets the level its hold then falls to."""
        c = self.c_nl_kpa
        if moved_steps <= self.pass_take:
            return self.pass_nl  # still taking up: nothing given yet
        # The take-up leaves it C·(hold_kpa - aim) short of the reference state, the true
        # pressure a half kPa under hold_kpa: at aim - 1/2 (and off past it).
        left = self.pass_nl - self.swept_nl(moved_steps) - self.pass_off_nl + \
            ratio_round(kpa * 1000 + 500 - self.pass_aim_kpa * 1000, c, 1000)
        self.level_mkpa = kpa * 1000 - (ratio_round(left, 1000, c) if c > 0 else 0)
        return left

    def swept_nl(self, moved_steps):
        """What a pass's sweep has swept, the plunger moved_steps into its move."""
        swept = moved_steps - self.pass_take
        return self.d.scale.nl(swept) if swept > 0 else 0

    def end_pass(self):
        self.passing = False
        self.level_mkpa = self.hold_kpa * 1000 - 500

    def released(self, moved_steps, kpa):
        """A pass let go mid-sweep: it gives what was swept, nothing more."""
        self.pass_nl = self.swept_nl(moved_steps)
        self.pass_left(moved_steps, kpa)

    def set_wait(self, kpa, level, u):
        if u <= 0:
            w = HOLD_POLL_US
        elif kpa > level + NEAR_KPA:
            w = (kpa - level - NEAR_KPA) * u // 2
        else:
            w = u // LAST_SHARE
        self.fine = u > 0 and w <= u // LAST_SHARE + POLL_MIN_US
        if w > HOLD_POLL_US:
            w = HOLD_POLL_US
        self.wait_us = w if w > POLL_MIN_US else POLL_MIN_US

    def held_let_out(self):
        """delta_mkpa() for the hold's rate and span, worked out again only when they change
        (it is asked at every poll of the hold)."""
        if self.us_per_kpa != self.dmk_u or self.mid_dk != self.dmk_mid:
            self.dmk_u = self.us_per_kpa
            self.dmk_mid = self.mid_dk
            self.dmk = self.delta_mkpa(self.us_per_kpa, self.mid_dk)
        return self.dmk

    def delta_mkpa(self, u, mid_dk=0):
        """What the relief will let out, in thousandths of a kPa of the line's pressure, for
        a fall of u µs per kPa measured around mid_dk (tenths of a kPa; 0: at hold_kpa).

        The fall is taken while the line comes down from the dose's top, above hold_kpa,
        where it falls faster: the line stands tau/u = air·hold_kpa/u over the tissue's
        there, so that less the way down to hold_kpa at the relief's start, and the fall
        there is slower by as much."""
        air = self.air_us_per_kpa
        if mid_dk > 0 and 0 < u < SLOW_US_PER_KPA and air > 0:
            over_dk = air * self.hold_kpa // ((u + 5) // 10)  # (air <= 8 s per kPa)
            if over_dk > 20 * self.hold_kpa:
                over_dk = 20 * self.hold_kpa
            start_dk = over_dk - (mid_dk - (self.level_mkpa + 500) // 100)
            if start_dk > self.hold_kpa * 10:
                start_dk = self.hold_kpa * 10
            if start_dk < 10:
                start_dk = 10
            u = muldiv(u, over_dk, start_dk)
        return let_out_mkpa(air, u, self.steps_w, self.acc_steps, self.acc_ms,
                            self.ms2_per_step_k, self.v_sps, self.d.backlash)

    def sweep_pct(self, swept_nl, dose_nl=0):
        """The share of q_w a dose sweeping swept_nl sweeps at (sweep_pct()): the line lifted
        LIFT_X times the let-out at a tissue pressing back nothing (the most) and LIFT_KPA
        above the reference, or at least once that let-out and LIFT_KPA. What it sweeps
        beyond the zone's dose_nl (a first shot's: the line stands under the reference by
        what priming's relief and fall let out) lifts it that much less."""
        under = 0
        if 0 < dose_nl < swept_nl and self.c_nl_kpa > 0:
            under = (swept_nl - dose_nl) // self.c_nl_kpa * 1000
        pct = lifting_pct(self.c_nl_kpa * self.hold_kpa, swept_nl,
                          self.delta_mkpa(self.air_us_per_kpa), under)
        # A dose that needs no more than the base share lifts the line far (it is long
        # against the charge): faster, it would climb towards leaking back.
        return pct + self.boost_pct if pct > SWEEP_PCT else pct


def ramp_figures(pl):
    """The plunger's ramp as the let-out needs it: steps and ms to top speed, and ms² per
    1000 steps accelerating (t² = 2 s / a). Worked out once: the squares are past 2^30."""
    return (pl.max_speed_sps * pl.max_speed_sps // (2 * pl.accel_sps2),
            pl.max_speed_sps * 1000 // pl.accel_sps2, 2000000000 // pl.accel_sps2)


def nominal_sweep_pct(pl, c_nl_kpa, steps_w, air_us_per_kpa, dose_nl):
    """Reference.sweep_pct() on a line's nominal figures (the shot-time estimate's)."""
    acc_steps, acc_ms, ms2 = ramp_figures(pl)
    out = let_out_mkpa(air_us_per_kpa, air_us_per_kpa, steps_w, acc_steps, acc_ms, ms2,
                       pl.max_speed_sps, pl.backlash_steps)
    return lifting_pct(c_nl_kpa * HOLD_KPA, dose_nl, out)


def lifting_pct(charge_nl, dose_nl, out_mkpa, under_mkpa=0):
    """sweep_pct() for a relief letting out out_mkpa at a tissue pressing back nothing (the
    most), from a line under_mkpa under the reference: lifted LIFT_X times that let-out and
    LIFT_KPA over the reference, or at least once the let-out and LIFT_KPA."""
    return sweep_pct(charge_nl, dose_nl, LIFT_X * out_mkpa + LIFT_KPA * 1000 + under_mkpa,
                     out_mkpa + LIFT_KPA * 1000 + under_mkpa)


def let_out_mkpa(air_us_per_kpa, u, steps_w, acc_steps, acc_ms, ms2_per_step_k, v_sps,
                 backlash_steps=0):
    """What a relief from the reference lets out into the skin, in thousandths of a kPa of
    the line's pressure, for a fall of u µs per kPa there (air_us_per_kpa in air): the
    relief's steps until the line is down at the tissue's pressure (C·(hold_kpa - P_t), the
    ratio of the two falls giving (hold_kpa - P_t) / hold_kpa), their time on the plunger's
    ramp after the backlash (which moves nothing: the flow goes on at its start), and the
    flow meanwhile. steps_w: relief steps from hold_kpa to zero."""
    if air_us_per_kpa <= 0 or steps_w <= 0:
        return 0
    rho_pm = (air_us_per_kpa >> 4) * 1000 // ((u >> 4) + 1)
    if rho_pm > 1000:
        rho_pm = 1000  # no faster than in air: a tissue presses back, it never draws
    sc = steps_w * rho_pm // 1000  # relief steps until the tissue's pressure
    gap_us = ramp_us(backlash_steps, acc_steps, acc_ms, ms2_per_step_k, v_sps)
    fall_us = ramp_us(backlash_steps + sc, acc_steps, acc_ms, ms2_per_step_k, v_sps) - gap_us
    # Accelerating, the flow falls with t²: its mean is 2/3 of the start's; cruising, 3/5.
    share = 667 if backlash_steps + sc <= acc_steps else 600
    d = (1000 * gap_us + share * fall_us) // (u // 10 + 1) // 10
    return d if d < DELTA_MAX_MKPA else DELTA_MAX_MKPA


def ramp_us(steps, acc_steps, acc_ms, ms2_per_step_k, v_sps):
    """How long the plunger's ramp from rest takes to make steps, µs."""
    if steps <= acc_steps:
        # ms² per 1000 steps is µs² per step; a long one takes √1000 after the root, which
        # keeps it under 2^30.
        us2 = steps * ms2_per_step_k
        return isqrt(us2 * 1000) if us2 < 1000000 else isqrt(us2) * 31623 // 1000
    return acc_ms * 1000 + (steps - acc_steps) * 10000 // (v_sps // 100)


def too_fast(us_per_kpa, q_w_nl_s, max_flow_nl_s):
    """Whether a line whose pressure falls us_per_kpa in air at hold_kpa, the needle passing
    q_w_nl_s there, is settled and topped up (settle.py) instead of held: its hold's
    readings could not time the end (tau under 0.2 s), or holding it would sweep the syringe
    faster than it may be. Priming decides on the measured fall, limits on the nominal line."""
    return us_per_kpa < FAST_US_PER_KPA or q_w_nl_s * SWEEP_PCT // 100 > max_flow_nl_s


def sweep_pct(charge_nl, dose_nl, lift_mkpa, least_mkpa=0):
    """The share of the needle's flow at hold_kpa a dose of dose_nl sweeps at, on a line
    holding charge_nl at hold_kpa: the least from SWEEP_PCT up (in tens) that lifts the line
    lift_mkpa above the reference by the dose's end (see the end for a dose none lifts
    that far). From hold_kpa, at k times the needle's flow there, a line whose tissue
    presses back nothing climbs hold_kpa·(k - 1)·(1 - e^(-t/tau)) in the dose's
    t = dose / (k·q_w), and tau·q_w is the charge (a tissue pressing back lifts it more:
    the outflow is less)."""
    pct = SWEEP_PCT
    if charge_nl <= 0:
        return pct
    rise = 0
    while pct <= SWEEP_MAX_PCT:
        rise_ppm = PPM - exp_neg_ppm(dose_nl * 100, pct * charge_nl)
        rise = (rise_ppm // 1000) * (HOLD_KPA * 10 * (pct - 100)) // 1000
        if rise >= lift_mkpa:
            return pct
        pct += 10
    # Short of the margin even at the most: the most, if that still lifts the line over
    # least_mkpa (the hold's end level and LIFT_KPA); else sweeping it faster would only
    # raise the pressure of a dose too small against the charge: the base share.
    return SWEEP_MAX_PCT if rise >= least_mkpa else SWEEP_PCT


def sweep_nl_s(q_w_nl_s, max_flow_nl_s, pct=SWEEP_PCT):
    """The flow a held line's dose sweeps at: pct of what the needle passes at hold_kpa
    (sweep_pct), at most the syringe's."""
    q = q_w_nl_s * pct // 100
    return q if q < max_flow_nl_s else max_flow_nl_s


def relief_nl(c_nl_kpa):
    """The relief a measured C asks for: what C holds over hold_kpa and RELIEF_KPA, with the
    margin."""
    return c_nl_kpa * (HOLD_KPA + RELIEF_KPA) * RELIEF_PCT // 100


def prime_sps(scale, line, c_nl_kpa, pl):
    """Priming's push speed: the nominal charge in about 1/PRIME_S_DEN s, and at least twice
    what the needle passes at hold_kpa in air (to outrun it), at most the axis's."""
    q = c_nl_kpa * (HOLD_KPA + 60) * PRIME_S_DEN
    if line is not None and 2 * line.flow_nl_s(HOLD_KPA) > q:
        q = 2 * line.flow_nl_s(HOLD_KPA)
    sps = scale.rate_sps(q)
    return sps if sps < pl.max_speed_sps else pl.max_speed_sps
