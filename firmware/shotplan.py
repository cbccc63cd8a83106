"""The shot machine's planning and checks: the dose model planned at a protocol's load (it
allocates), the moves before the trigger, and the input checks run while the needle moves
(these two allocate nothing).

A base of firmware/shot.py's ShotMachine, kept apart so that each file stays one job.
"""

from firmware import compat, dosing, linemove
from firmware.compat import const
from firmware.dosing import Dosing
from firmware.fill import Fill
from firmware.hal import (
    IN_CARRIAGE_HOME,
    IN_CONTACT,
    IN_PLUNGER_END,
    IN_STALL_CARRIAGE,
    IN_STALL_PLUNGER,
    NO_PRESSURE,
)
from firmware.wire import faults
from firmware.wire.states import DOSE, HOLD

# Longest wait while a move runs: edges of contact, stall and switches wake the loop at once
# (HAL.idle's contract), so polls are only needed for the end of a move, the line pressure
# (an analogue reading) and as a backstop.
MOTION_MAX_US = const(50000)
PRESSURE_MIN_US = const(1000)
PRESSURE_SHARE = const(10)  # sample so that pressure rises at most 1/10 of the limit between


class Planning:
    # -- planning (allocates; before the trigger) -----------------------------
    def plan_model(self):
        """The dose model of the loaded protocol, from the settings configured, and the
        relief move it asks for; the previous protocol's model carries on (same syringe)."""
        self.dosing = Dosing(self.board, self.session.syringe, self.dosing_mode,
                             self.cal_ppm, self.backlash_steps, self.session.fluid)
        if self.dosing.ref is not None:
            self.dosing.ref.share_ramp(self.plunger_ramp)
        used = 0
        if self.carry is not None:
            self.dosing.follow(self.carry, self.session.syringe_nl)
            self.carry = None
            used = self.fill.used_steps if self.fill is not None else 0
        # The travel spent from the syringe on the gun carries over with it (firmware/fill.py).
        self.fill = Fill(self.board, self.session.syringe, self.dosing, used)
        pl = self.board.plunger
        self.relief_move.plan(self.dosing.relief_steps, pl.max_speed_sps, pl.accel_sps2,
                              self.clock_hz, self.tol)

    def prepare(self):
        """Plan the next shot's moves for the current zone, with the heap locked.

        MicroPython puts the frame of a function of more than 11 words of locals and stack
        on the heap when it can (and frees it on return); with the heap locked it takes the
        C stack instead. The plan allocates nothing of its own (tests/mpy/test_heaplock.py),
        so the lock changes no result: it only saves the allocator's search for a free run
        at every call, which took half of a plan's time on the RP2040 (docs/DEVICE.md), and
        no garbage collection can start in a plan. A move too long for small ints frees the
        heap for its own plan (axis.Move.plan)."""
        compat.lock()
        try:
            self._plan_next()
        finally:
            compat.unlock()

    def _plan_next(self):
        zone = self.session.zone()
        if zone is None:
            return
        b = self.board
        car = b.carriage
        depth_steps = car.um_to_steps(zone.depth_um)
        if depth_steps != self.depth_move.steps:
            self.depth_move.plan(depth_steps, car.max_speed_sps, car.accel_sps2,
                                 self.clock_hz, self.tol)
        pl = b.plunger
        steps = self.dosing.dose_steps(self.session.syringe_nl + zone.dose_nl)
        self.fits = self.fill.fits(self.dosing, steps)  # else a refill before the shot
        scale = self.dosing.scale
        if scale is not self.plan_scale:
            self.plan_scale = scale
            self.flow_nl_s = self.end_total_nl = -1
        if zone.flow_nl_s != self.flow_nl_s:
            self.flow_sps = scale.rate_sps(zone.flow_nl_s)
            self.flow_nl_s = zone.flow_nl_s
        v = self.flow_sps if self.flow_sps < pl.max_speed_sps else pl.max_speed_sps
        linemove.plan_dose(self.dosing, self.dose_move, steps, v, pl, self.clock_hz, self.tol,
                           zone.mode, zone.dose_nl)
        self.pressure_us = self.pressure_period_us(zone.flow_nl_s)
        # The core's own estimate of the shot's net volume: the running total's stopper
        # positions after and before it, to the step (what the model promises; the
        # simulator's plant, or a scale, tells the truth).
        total = self.session.syringe_nl
        end = total + zone.dose_nl
        if end != self.end_total_nl:
            if total == self.end_total_nl:
                self.start_nl = self.end_nl  # where the dose planned before ends: the last shot
            else:
                self.start_nl = scale.nl(scale.steps(total))
            self.end_nl = scale.nl(scale.steps(end))
            self.end_total_nl = end
        self.dose_nl = self.end_nl - self.start_nl
        self.planned = True

    def pressure_period_us(self, flow_nl_s):
        """How often to read the line pressure while dosing at flow_nl_s: against a blocked
        needle the pressure climbs at flow / compliance, and the occlusion limit must not be
        overshot by more than 1/PRESSURE_SHARE of itself between two readings."""
        if not self.has_pressure or flow_nl_s <= 0:
            return MOTION_MAX_US
        rise_kpa_s = flow_nl_s * 100 // dosing.compliance_nl_bar(self.session.syringe)
        budget_kpa = self.board.pressure_max_kpa // PRESSURE_SHARE
        us = budget_kpa * 1000000 // (rise_kpa_s if rise_kpa_s > 0 else 1)
        if us < PRESSURE_MIN_US:
            return PRESSURE_MIN_US
        return us if us < MOTION_MAX_US else MOTION_MAX_US

    # -- checks while the needle moves (allocation-free) ----------------------
    def needle_check(self, st):
        """Fault code for the inputs while the needle goes in or is in, else NONE."""
        if not self.inputs.stable & IN_CONTACT:
            return faults.CONTACT_LOST
        return self.motion_check(st)

    def motion_check(self, st):
        # The debounced levels tested as bits (inputs.level() each, without its call: this
        # runs every poll while the needle moves or is in).
        stable = self.inputs.stable
        if stable & IN_STALL_CARRIAGE and self.carriage.active:
            return faults.STALL_CARRIAGE
        if stable & IN_STALL_PLUNGER and self.plunger.active:
            return faults.STALL_PLUNGER
        if (st == DOSE or (st == HOLD and self.plunger.active)) and stable & IN_PLUNGER_END:
            return faults.SYRINGE_EMPTY
        if stable & IN_CARRIAGE_HOME and self.carriage.pos > self.home_clear_steps:
            return faults.SWITCH  # the needle is out, yet the home switch says home: stuck
        if st == DOSE or st == HOLD:
            kpa = self.hal.pressure_kpa()
            if kpa != NO_PRESSURE and kpa > self.board.pressure_max_kpa:
                return faults.OCCLUSION
            if st == HOLD and self.dosing.ref is not None and self.dosing.ref.occluded:
                return faults.OCCLUSION  # the pressure does not fall (firmware/line.py)
        return faults.NONE
