"""The shot machine's public face: its configuration, loading a protocol, the commands the
app passes on (each with the tick it was given at) and the one report, status().

A base of firmware/shot.py's ShotMachine, which holds the states and transitions these use.
"""

from firmware.hal import OUT_ALARM
from firmware.wire.modes import COMPENSATED
from firmware.wire import faults
from firmware.wire.states import (
    ADVANCE,
    ARMED,
    DONE,
    FAULT,
    IDLE,
    PACE,
    PAUSED,
    PRIME,
    REFILL,
    RETRACT,
    SAFING,
)


class Commands:
    # -- configuration and loading ---------------------------------------------
    def configure(self, dosing_mode=None, cal_ppm=None, backlash_steps=-1):
        """Settings for the next protocol's dose model: the dosing mode, the stored scale
        calibration and the measured backlash (None: the board's; -1: leave as is)."""
        if dosing_mode is not None:
            self.dosing_mode = dosing_mode
            self.session.held = dosing_mode == COMPENSATED  # the next load's shot times
        if cal_ppm is not None:
            self.cal_ppm = cal_ppm
        if backlash_steps != -1:
            self.backlash_steps = backlash_steps

    def loaded(self, same_syringe):
        """A protocol was loaded into the session: start from IDLE with a new dose model,
        which follows the last one while the syringe on the gun stays the same."""
        if not same_syringe:
            self.carry = None
        elif self.dosing is not None:
            self.carry = self.dosing
        self.dosing = None
        self.state = IDLE
        self.planned = False
        self.pause_request = False  # a pause belongs to the session it was asked in

    def allow_start(self, shots):
        """The app's gate: the next shot may start while the session has given this many
        (-2: none may start)."""
        self.allowed = shots

    def replan(self):
        """Plan the next shot again before it starts (the zone was changed)."""
        self.planned = False

    def count_ms(self, ms):
        """Advance the session clock the shot log stamps records with (kept by the app)."""
        self.ms += ms

    def status(self):
        """The machine's report: (state, fault, latched)."""
        return self.state, self.fault, self.state == FAULT

    # -- commands -------------------------------------------------------------
    def arm(self, now):
        """Home the needle carriage, then wait for the trigger. Needs a loaded session."""
        if not self.session.loaded or self.state not in (IDLE, DONE, PAUSED):
            return False
        if self.dosing is None:
            self.plan_model()
        self.hal.enable(True)
        self.start_homing(now)
        return True

    def ack(self, now):
        """Acknowledge a latched fault; the carriage homes again before any shot."""
        if self.state != FAULT:
            return False
        self.fault = faults.NONE
        self.stop_code = faults.NONE
        self.hal.output(OUT_ALARM, False)
        self.start_homing(now)
        return True

    def refilled(self, now):
        """A new syringe is fitted (after REFILL): count and model start from zero."""
        if self.state != REFILL:
            return False
        self.session.refilled()
        self.dosing.reset()
        self.fill.refilled()
        self.plunger.zero()
        self.planned = False
        self.enter_armed(now)
        return True

    def latch(self, code):
        """Latch a fault found outside the machine (a crash loop) on a gun already made
        safe: no shot until it is acknowledged."""
        self.fault = code
        self.stop_code = faults.NONE
        self.state = FAULT
        self.planned = False
        self.hal.output(OUT_ALARM, True)

    def abort(self, now):
        """Stop now and go to the safe state (ABORT from the host or the operator)."""
        if self.state in (IDLE, FAULT, SAFING):
            return
        self.trip(faults.ABORT, now)

    def pause(self, now):
        """Hold the session at the next safe point (never with the needle in)."""
        if self.state == ARMED:
            self.state = PAUSED
        elif ADVANCE <= self.state <= PACE or self.state == PRIME:
            self.pause_request = True  # priming ends in enter_armed, which pauses

    def resume(self, now):
        """Go on from a pause, or call off one asked for but not yet reached."""
        if self.pause_request:
            self.pause_request = False
            return True
        if self.state != PAUSED:
            return False
        self.enter_armed(now)
        return True

    def stop_at_safe_point(self, code, now):
        """Finish the shot in progress (needle out), then fault with code (link lost)."""
        if ADVANCE <= self.state <= RETRACT:
            self.stop_code = code
        elif self.state not in (IDLE, SAFING, FAULT, DONE):
            self.trip(code, now)
