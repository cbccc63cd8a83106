"""The line's moves: priming in air (the PRIME state) and the two-part dose move.

firmware/line.py holds the reference state and the hold; Priming is a base of
firmware/shot.py's ShotMachine (its PRIME state), and its planning calls plan_dose().
"""

from firmware import ticks
from firmware.hal import BACKWARD, FORWARD, IN_PLUNGER_END, IN_TRIGGER, NO_PRESSURE
from firmware import settle
from firmware.line import (BACK, DRAIN, DRAIN_MAX_US, HOLD_POLL_US, IDLE, PASS_EXTRA_KPA, POLL_MIN_US,
                           PRIME_HI_KPA, PRIME_LO_KPA, PUSH, SETTLE, SETTLE_KPA, SETTLE_MAX_US,
                           SETTLE_MIN_US, SETTLE_US, sweep_nl_s)
from firmware.wire import faults
from firmware.wire.modes import MODE_CONTINUOUS, MODE_PERFUSION
from firmware.wire.states import PRIME, RELIEF


def plan_dose(d, move, steps, v_sps, pl, clock_hz, tol, mode=0, dose_nl=0):
    """The dose move; with a reference, the take-up of the last relief at full speed first,
    then the dose at line.sweep_pct() of what the needle passes at hold_kpa, whatever the
    zone's flow: faster and the line's pressure climbs to leak back along the needle, slower
    and it falls under hold_kpa before the dose is in, or ends too low for the hold to time
    its end (one buffer, two profiles).

    A perfusion zone's first bolus takes the relief up only to where the pressure would
    start to rise (C·hold_kpa short of the reference): charged to hold_kpa with the needle
    in for good, the line would empty C·(hold_kpa - tissue) into the skin, many times a
    bolus. The model counts that part as done (the stopper stays behind by it) and the
    line is primed again after the zone. dose_nl: the zone's dose (what the sweep beyond it
    makes up for is under the reference before the dose lifts anything: a first shot's)."""
    ref = d.ref
    if ref is not None and ref.ok and mode == MODE_PERFUSION and d.take_steps > 0:
        skip = d.take_steps if d.take_steps < ref.steps_w else ref.steps_w
        if skip > steps:
            skip = steps
        d.leave_out(skip)
        steps -= skip
    take = d.take_steps if ref is not None else 0
    if take > steps:
        take = steps
    if ref is not None:
        ref.end_pass()
    if ref is not None and ref.ok and ref.q_w_nl_s > 0 and mode == MODE_CONTINUOUS:
        # A continuous pass: taken up to where the line passes the zone's flow, swept at
        # it for as long as what is left says (line.py's plan_pass, pass_left); the model
        # counts the part left out as done, and the line is primed again after the pass.
        skip = ref.plan_pass(take, dose_nl, d.scale.nl(v_sps), take - steps + d.scale.steps(dose_nl))
        d.leave_out(skip)
        take -= skip
        steps += d.scale.steps(ref.c_nl_kpa * PASS_EXTRA_KPA) - skip
    elif ref is not None and ref.ok and ref.q_w_nl_s > 0:
        pct = ref.sweep_pct(d.scale.nl(steps - take), dose_nl)
        v = d.scale.rate_sps(sweep_nl_s(ref.q_w_nl_s, ref.max_flow_nl_s, pct))
        v_sps = v if v < pl.max_speed_sps else pl.max_speed_sps
    if ref is not None:
        ref.topup_sps = v_sps  # a fast line's top-ups go no faster than its dose
    if take <= 0 or take == steps:
        move.plan(steps, v_sps if take <= 0 else pl.max_speed_sps, pl.accel_sps2, clock_hz, tol)
        return
    t = ref.take_move
    if t.steps != take:  # the same take-up shot after shot: planned once
        t.plan(take, pl.max_speed_sps, pl.accel_sps2, clock_hz, tol)
    s = ref.scratch
    s.plan(steps - take, v_sps, pl.accel_sps2, clock_hz, tol)
    if t.nseg + s.nseg > move.capacity:
        move.plan(steps, v_sps, pl.accel_sps2, clock_hz, tol)
        return
    n = t.nseg * 3
    _put(move, 0, t)
    _put(move, n, s)
    move.nseg = t.nseg + s.nseg
    move.steps = steps
    move.duration_us = t.duration_us + s.duration_us


def _put(move, at, part):
    """part's segments into move's buffer from word at: the whole buffer in one copy when it
    fits (its words past part's segments are overwritten or left over), else word by word."""
    src = part.segs
    size = len(src)
    if at + size <= len(move.segs):
        move.prof.view[at:at + size] = src
        return
    dst = move.segs
    for i in range(part.nseg * 3):
        dst[at + i] = src[i]


class Priming:
    """The PRIME state (needle out, before the trigger), a base of the shot machine."""

    def needs_prime(self):
        d = self.dosing
        return d is not None and d.ref is not None and d.ref.due \
            and self.hal.pressure_kpa() != NO_PRESSURE

    def start_prime(self, now):
        ref = self.dosing.ref
        ref.due = False
        ref.ok = False
        ref.fast = False
        ref.phase = PUSH
        ref.lo_steps = -1
        ref.hi_steps = -1
        ref.p_int = 0
        # A push from a relieved rod takes the relief up before it charges the line: the
        # fill counts that travel too (from the model's stopper to the last dose's end).
        d = self.dosing
        ref.take0 = d.dose_end - d.stopper if d.dose_end > d.stopper else 0
        ref.tau_us = 0
        ref.zero_t = -1
        self.safe_plunger.constant(ref.prime_steps, ref.prime_sps, self.clock_hz)
        self.plunger.start(FORWARD, self.safe_plunger)
        self.state = PRIME
        self.until = ticks.add(now, self.safe_plunger.duration_us + self.timeout_us(), self.mask)

    def prime_poll(self, now, moving):
        """One poll of the PRIME state; returns the next deadline."""
        ref = self.dosing.ref
        mask = self.mask
        if ticks.diff(now, self.until, mask) >= 0:
            ref.due = True  # not primed: again before any shot
            self.trip(faults.TIMEOUT, now)
            return ticks.add(now, POLL_MIN_US, mask)
        if ref.phase == PUSH:
            kpa = self.hal.pressure_kpa()
            if ref.lo_steps < 0 and kpa >= PRIME_LO_KPA:
                ref.lo_steps = self.plunger.moved()
                ref.lo_kpa = kpa
                ref.p_t = now
            elif ref.lo_steps >= 0:
                ref.p_int += kpa * ticks.diff(now, ref.p_t, mask)
                ref.p_t = now
                if ref.hi_steps < 0 and kpa >= PRIME_HI_KPA:
                    ref.hi_steps = self.plunger.moved()
                    ref.hi_kpa = kpa
                    ref.hi_int = ref.p_int
            if kpa >= ref.hold_kpa or not moving:
                self.plunger.stop()
                pushed = self.plunger.moved()
                used = self.fill.used_steps
                self.account_plunger()
                if kpa >= ref.hold_kpa:
                    ref.measured(kpa, pushed)
                    # The charge stays in the line to the fill's last shot: the fill counts it
                    # at the nominal figure, as the plan does (firmware/fill.py's reserve covers
                    # a softer syringe), so the gun asks for a refill where the plan says.
                    self.fill.charged(used + ref.take0, self.dosing.scale.steps(ref.charge_nl))
                    ref.phase = SETTLE
                    ref.settle_kpa = kpa
                    ref.settle_t = now
                    ref.first_kpa = -1
                    return ticks.add(now, POLL_MIN_US, mask)
                # The whole push fell short of hold_kpa: no fluid at the stopper, or a needle
                # so wide for the fluid that the plunger cannot raise the pressure to measure
                # the line (water through 25 G). Not dosed on a guess: the safe state.
                empty = self.inputs.level(IN_PLUNGER_END)
                ref.due = True  # and again at the next arming: never a shot on a guess
                self.trip(faults.SYRINGE_EMPTY if empty else faults.LIMIT, now)
                return ticks.add(now, POLL_MIN_US, mask)
        elif ref.phase == SETTLE:
            kpa = self.hal.pressure_kpa()
            fell = kpa < ref.settle_kpa
            ref.settle_kpa = kpa
            if fell and ref.first_kpa < 0:
                ref.first_kpa = kpa
                ref.first_t = now
            elif fell:
                us = ticks.diff(now, ref.first_t, mask)
                if (ref.first_kpa - kpa >= SETTLE_KPA and us >= SETTLE_MIN_US) or us >= SETTLE_US:
                    if ref.too_fast(ref.first_kpa - kpa, us):
                        ref.phase = DRAIN  # settle.py's line: drain to zero, timing tau
                        ref.fell0 = ref.first_kpa - kpa
                        ref.us0 = us
                        self.until = ticks.add(now, DRAIN_MAX_US + self.timeout_us(), mask)
                    else:
                        ref.primed(kpa, ref.first_kpa - kpa, us, self.session.syringe_nl)
                        self._relieve(ref, now)
            if ref.phase == SETTLE and ticks.diff(now, ref.settle_t, mask) >= SETTLE_MAX_US:
                ref.primed(kpa, 0, 0, self.session.syringe_nl)  # too slow to measure: C alone
                self._relieve(ref, now)
        elif ref.phase == DRAIN:
            kpa = self.hal.pressure_kpa()
            if ref.drain_poll(kpa, now, mask, ref.first_kpa, ref.first_t):
                if ref.drained():
                    ref.primed_fast(self.session.syringe_nl)
                else:  # held on the reference after all, from where the reading is now
                    ref.primed(kpa, ref.fell0, ref.us0, self.session.syringe_nl,
                               ref.first_kpa - ref.fell0)
                self._relieve(ref, now)
        elif not moving:
            self.account_plunger()
            ref.phase = IDLE
            self.enter_armed(now)
            return ticks.add(now, POLL_MIN_US, mask)
        return ticks.add(now, POLL_MIN_US, mask)

    def _relieve(self, ref, now):
        d = self.dosing
        pl = self.board.plunger
        self.relief_move.plan(d.relief_steps, pl.max_speed_sps, pl.accel_sps2, self.clock_hz,
                              self.tol)
        self.plunger.start(BACKWARD, self.relief_move)
        ref.phase = BACK
        self.until = ticks.add(now, self.relief_move.duration_us + self.timeout_us(), self.mask)

    def pass_poll(self, moving):
        """DOSE of a continuous pass on a held line: the sweep stops once what is left to
        give is what the hold gives (line.py's pass_left); let go, the pass gives what was
        swept. Returns whether the plunger still moves."""
        ref = self.dosing.ref
        kpa = self.hal.pressure_kpa()
        if kpa == NO_PRESSURE:
            # No reading: counted as if the line stood where the take-up left it, so the
            # sweep stops by its volume, never past it (the hold then ends at once).
            kpa = ref.pass_aim_kpa
        moved = self.plunger.moved()
        if moving and not self.inputs.level(IN_TRIGGER):
            ref.released(moved, kpa)  # the machine stops the plunger (firmware/flow.py)
        elif ref.pass_left(moved, kpa) <= ref.pass_held_nl and moving:
            self.plunger.stop()
            return False
        return moving

    def settle_poll(self, now, moving):
        """HOLD on a fast line (firmware/settle.py): settle, top up, settle again."""
        ref = self.dosing.ref
        s = ref.settle
        if s.topping:
            if moving:
                ref.wait_us = HOLD_POLL_US
                return
            self.account_plunger()
            s.moved(now)
        n = s.poll(self.hal.pressure_kpa(), now, self.mask)
        ref.wait_us = s.wait_us
        if n == settle.WAIT:
            return
        if n == settle.OCCLUDED:
            ref.occluded = True  # motion_check trips on it at the next poll
            ref.holding = False
            ref.wait_us = POLL_MIN_US
            return
        if n > 0:
            sps = ref.topup_sps if ref.topup_sps < self.safe_sps_plunger else self.safe_sps_plunger
            s.move.constant(n, sps if sps > 0 else self.safe_sps_plunger, self.clock_hz)
            self.plunger.start(FORWARD, s.move)
            s.topping = True
            ref.wait_us = POLL_MIN_US
            return
        ref.holding = False
        if not self.after_hold(now):
            self.start_axis(self.plunger, BACKWARD, self.relief_move, RELIEF, now)
