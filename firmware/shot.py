"""The shot state machine (point and burst modes) and the safe state.

IDLE -> HOMING -> ARMED -> (trigger with skin contact) ADVANCE -> DOSE -> HOLD -> RELIEF
-> RETRACT -> PACE -> ARMED. Every state has a deadline; any state can trip to SAFING, which
stops the plunger, relieves pressure, retracts the needle and raises the alarm, then FAULT,
latched until acknowledged. poll(now) does the due work and returns the next deadline.

From the trigger to the end of the retract nothing allocates: moves are planned in
prepare() (firmware/shotplan.py), before the trigger, and the shot path only starts them and
watches inputs. The machine is configured, loaded and commanded through its methods; others
read its state and fault, or status(), and set nothing.
"""

from firmware import flow, motion, ticks
from firmware.axis import Axis, Move
from firmware.compat import const
from firmware.flow import Flow
from firmware.hal import (
    AXIS_CARRIAGE,
    AXIS_PLUNGER,
    BACKWARD,
    FORWARD,
    IN_CARRIAGE_HOME,
    IN_CONTACT,
    IN_TRIGGER,
    OUT_ALARM,
    OUT_BUZZER,
)
from firmware.linemove import Priming
from firmware.shotcmd import Commands
from firmware.shotplan import MOTION_MAX_US, Planning
from firmware.wire import faults
from firmware.wire.modes import MODE_BURST
from firmware.wire.states import (  # noqa: F401 - the states, by name, for the gun's modules
    ADVANCE,
    ARMED,
    CHECK_OK,
    CHECK_SYRINGE,
    DONE,
    DOSE,
    FAULT,
    HOLD,
    HOMING,
    IDLE,
    PACE,
    PAUSED,
    PRIME,
    REFILL,
    RELIEF,
    RETRACT,
    SAFING,
    STATE_NAMES,
)

MONITOR_US = const(1000)  # poll period once a move is due to end, and while safing
# Longest wait while waiting for the operator or the pace: input edges wake the loop.
IDLE_US = const(100000)
CUE_US = const(40000)  # length of the pacing beep
HOME_CLEAR_UM = const(300)
HOME_MARGIN_STEPS = const(800)  # homing may run this far past the nominal travel
DEPTH_SEGS = const(256)
DOSE_SEGS = const(512)
RELIEF_SEGS = const(192)  # a relief sized from a real syringe's compliance is mm long


class ShotMachine(Commands, Planning, Priming):
    def __init__(self, hal, board, inputs, session, log):
        self.hal = hal
        self.board = board
        self.mask = hal.tick_mask
        self.clock_hz = board.step_clock_hz
        self.tol = board.step_tol_ticks
        self.safe_sps_plunger = board.plunger.um_to_steps(board.safe_speed_um_s)
        self.safe_sps_carriage = board.carriage.um_to_steps(board.safe_speed_um_s)
        self.inputs = inputs
        self.session = session
        self.log = log
        self.plunger = Axis(hal, AXIS_PLUNGER)
        self.carriage = Axis(hal, AXIS_CARRIAGE)
        # Each axis's moves share its ramp from rest, fitted here at start-up to the axis's
        # top speed: a fit takes about a second of the RP2040's main loop, which must not
        # fall in a session (the first prime, the first shot of a zone).
        self.plunger_ramp = motion.Ramp()
        self.carriage_ramp = motion.Ramp()
        self.depth_move = Move(DEPTH_SEGS, self.carriage_ramp)
        self.dose_move = Move(DOSE_SEGS, self.plunger_ramp)
        self.relief_move = Move(RELIEF_SEGS, self.plunger_ramp)
        pl, car = board.plunger, board.carriage
        motion.warm(self.dose_move.prof, pl.max_speed_sps, pl.accel_sps2, self.clock_hz, self.tol)
        motion.warm(self.depth_move.prof, car.max_speed_sps, car.accel_sps2, self.clock_hz,
                    self.tol)
        self.safe_plunger = Move(1)
        self.safe_carriage = Move(1)
        self.dosing = None
        self.fill = None  # the stopper travel spent from the syringe fitted (firmware/fill.py)
        self.fits = True  # the planned dose fits in what the fill has left
        self.flow = Flow(inputs, session, self.plunger)
        self.dosing_mode = 1
        self.cal_ppm = 1000000  # stored calibration of the plunger scale (1e6 = nominal)
        self.backlash_steps = None  # measured on this gun (settings); None: the board's
        self.carry = None  # the previous protocol's dose model, same syringe (App.load_protocol)
        self.state = IDLE
        self.fault = faults.NONE
        self.until = 0  # deadline of the current state
        self.move_end = 0  # when the move of the current state should be done
        self.pressure_us = MOTION_MAX_US  # line pressure sampling period while dosing
        self.has_pressure = board.pins.get("pressure_adc") is not None
        # Past this travel the carriage home switch must have let go (switch hysteresis).
        self.home_clear_steps = board.carriage.um_to_steps(HOME_CLEAR_UM)
        self.cue_until = -1  # when the buzzer goes off again, -1 if silent
        self.ms = 0  # session clock in ms, kept by the app
        self.planned = False
        self.dose_nl = 0  # net volume the planned dose gives, by the dose model
        # What the last plans converted on plan_scale (another scale clears them): the
        # running total's stopper positions in nL at the start and end of the last dose (for
        # which total) — the end is the next shot's start, so a plan converts one total, not
        # two (none when it plans the same shot again); the plunger speed of the last flow.
        self.plan_scale = None
        self.end_total_nl = self.end_nl = self.start_nl = -1
        self.flow_nl_s = self.flow_sps = -1
        self.zone = None  # zone of the shot in progress
        self.shot_index = 0
        self.t_start = 0
        self.dose_steps_done = 0
        self.t_start_ms = 0
        self.stop_code = faults.NONE  # stop at the next safe point with this code
        self.pause_request = False
        self.allowed = -1  # shot count at which the app let the next shot start; -1: no gate

    def may_start(self):
        """A shot may start: its record has room in the log (back-pressure, so no record is
        ever dropped) and, under an app, the flash says it may have started."""
        return self.log.room() > 0 and (self.allowed == -1 or self.allowed == self.session.shots)

    def resting(self):
        """Perfusion, between two boluses: needle in, both axes still."""
        return self.state == HOLD and self.flow.bolus_due >= 0

    def motion_wake(self, now, st):
        """Next poll while the needle moves or is in: the end of the move (or of the hold),
        sooner for pressure readings while dosing and holding."""
        mask = self.mask
        end = self.until if st == HOLD else self.move_end
        wait = ticks.diff(end, now, mask)
        if wait < MONITOR_US:
            wait = MONITOR_US
        if (st == DOSE or st == HOLD) and wait > self.pressure_us:
            wait = self.pressure_us
        ref = self.dosing.ref if self.dosing is not None else None
        if st == HOLD and ref is not None and ref.holding:
            wait = ref.wait_us  # the pressure says when the dose will be in
        if wait > MOTION_MAX_US:
            wait = MOTION_MAX_US
        return ticks.add(now, wait, mask)

    # -- transitions ----------------------------------------------------------
    def start_homing(self, now):
        car = self.board.carriage
        self.state = HOMING
        if self.inputs.level(IN_CARRIAGE_HOME):
            self.carriage.zero()
            self.enter_armed(now)
            return
        self.safe_carriage.constant(car.travel_steps + HOME_MARGIN_STEPS, car.home_speed_sps,
                                    self.clock_hz)
        self.carriage.start(BACKWARD, self.safe_carriage)
        self.until = ticks.add(now, self.safe_carriage.duration_us + self.timeout_us(), self.mask)

    def enter_armed(self, now):
        self.planned = False
        self.inputs.pressed = False  # a press made before the gun was ready does not count
        if self.stop_code != faults.NONE:
            self.trip(self.stop_code, now)
        elif self.session.zone() is None:
            # A pause asked during the last shot has nothing left to hold: dropped here, it
            # cannot stop the next session at its first arming.
            self.pause_request = False
            self.state = DONE
        elif self.pause_request:
            self.pause_request = False
            self.state = PAUSED
        elif self.needs_prime():
            self.start_prime(now)
        else:
            self.state = ARMED

    def timeout_us(self):
        return self.board.state_timeout_ms * 1000

    def begin_shot(self, now):
        zone = self.session.zone()
        check = self.session.check_shot(zone)
        if check == CHECK_OK and not self.fits:
            if self.fill.used_steps == 0:
                self.trip(faults.LIMIT, now)  # not even a full syringe holds this dose
                return
            check = CHECK_SYRINGE
        if check == CHECK_SYRINGE:
            self.state = REFILL
            self.cue(now)
            return
        if check != CHECK_OK:
            self.trip(faults.LIMIT, now)
            return
        self.zone = zone
        self.shot_index = self.session.shot_i
        self.t_start = now
        self.t_start_ms = self.ms
        self.start_axis(self.carriage, FORWARD, self.depth_move, ADVANCE, now)

    def start_axis(self, axis, direction, move, state, now):
        axis.start(direction, move)
        self.state = state
        self.move_end = ticks.add(now, move.duration_us, self.mask)
        self.until = ticks.add(now, move.duration_us + self.timeout_us(), self.mask)

    def end_shot(self, fault, dosed):
        """Log the shot and count it if any dose was given (a point is never injected twice).

        On the normal path the swept volume was worked out in prepare(): no big integers here."""
        zone = self.zone
        swept_nl = self.dose_nl
        if fault != faults.NONE:
            swept_nl = 0
            if dosed and self.dose_move.steps > 0:
                swept_nl = self.dose_nl * self.dose_steps_done // self.dose_move.steps
        self.log.add(self.session.shots + 1, self.session.zone_i, self.shot_index, zone.mode,
                     fault, zone.dose_nl, self.dose_move.steps, zone.depth_um,
                     self.t_start_ms, self.ms, swept_nl)
        if dosed:
            self.session.shot_done(zone)
            if fault != faults.NONE:
                # No catch-up of the missed volume on the next point.
                self.dosing.rebase(self.session.syringe_nl, self.hal.pressure_kpa())

    def cue(self, now):
        self.hal.output(OUT_BUZZER, True)
        self.cue_until = ticks.add(now, CUE_US, self.mask)

    def trip(self, code, now):
        """Go to the safe state: stop, relieve, retract, alarm, log; latch the fault."""
        in_shot = ADVANCE <= self.state <= RETRACT
        dosed = self.state >= DOSE
        priming = self.state == PRIME
        self.plunger.stop()
        self.carriage.stop()
        if self.state == DOSE:
            self.dose_steps_done = self.plunger.moved()
        if in_shot or self.state == PACE or priming:
            self.account_plunger()
        if in_shot:
            self.end_shot(code, in_shot and dosed)
        self.fault = code
        self.hal.output(OUT_ALARM, True)
        self.state = SAFING
        self.planned = False
        if (in_shot or priming) and self.dosing is not None:
            self.safe_plunger.constant(self.dosing.relief_steps, self.safe_sps_plunger,
                                       self.clock_hz)
            self.plunger.start(BACKWARD, self.safe_plunger)
        self.safe_carriage.constant(self.carriage.pos, self.safe_sps_carriage, self.clock_hz)
        self.carriage.start(BACKWARD, self.safe_carriage)
        longest = self.safe_carriage.duration_us
        if self.safe_plunger.duration_us > longest:
            longest = self.safe_plunger.duration_us
        self.until = ticks.add(now, longest + self.timeout_us(), self.mask)

    def account_plunger(self):
        """Tell the dose model what the plunger really did in its last move."""
        if self.dosing is not None:
            self.fill.moved(self.dosing, self.plunger.direction, self.plunger.moved())
            self.plunger.start_pos = self.plunger.pos

    # -- the loop -------------------------------------------------------------
    def poll(self, now):
        """Do what is due at now; return the tick by which poll must run again."""
        mask = self.mask
        if self.cue_until >= 0 and ticks.diff(now, self.cue_until, mask) >= 0:
            self.hal.output(OUT_BUZZER, False)
            self.cue_until = -1
        deadline = self.step(now)
        if self.cue_until >= 0 and ticks.diff(self.cue_until, deadline, mask) < 0:
            return self.cue_until  # the beep ends before anything else is due
        return deadline

    def step(self, now):
        """The state machine proper: act on the state, return its next deadline."""
        mask = self.mask
        st = self.state
        moving_p = self.plunger.update()
        moving_c = self.carriage.update()
        if ADVANCE <= st <= RETRACT:
            if st <= HOLD:
                code = self.needle_check(st)
            else:
                code = self.motion_check(st)
            if code == faults.NONE and st != HOLD and ticks.diff(now, self.until, mask) >= 0:
                code = faults.TIMEOUT
            if code != faults.NONE:
                self.trip(code, now)
                return ticks.add(now, MONITOR_US, mask)
        if st == ARMED:
            if not self.planned:
                self.prepare()
            if self.inputs.take_press():
                if self.inputs.level(IN_CONTACT) and self.may_start():
                    self.begin_shot(now)
                    return self.motion_wake(now, self.state)
                self.cue(now)  # no skin contact: no shot, one beep
            return ticks.add(now, IDLE_US, mask)
        if st == ADVANCE:
            if not moving_c:
                self.start_axis(self.plunger, FORWARD, self.dose_move, DOSE, now)
        elif st == DOSE:
            if self.dosing.ref is not None and self.dosing.ref.passing:
                moving_p = self.pass_poll(moving_p)
            if moving_p and self.flow.released(self.zone):
                # Continuous, let go mid-pass: the pass counts as given, and the next pass
                # starts from where the stopper is.
                self.dose_steps_done = self.plunger.moved()
                self.account_plunger()
                self.dosing.rebase(self.session.syringe_nl + self.zone.dose_nl, -1)
                moving_p = False
            if not moving_p:
                self.dose_steps_done = self.plunger.moved()
                self.account_plunger()
                self.state = HOLD
                hold_us = self.zone.hold_ms * 1000
                if self.dosing.ref is not None:
                    hold_us = self.dosing.ref.hold_us(self.zone)
                    self.dosing.ref.hold_begin(now, self.zone.mode)
                self.until = ticks.add(now, hold_us, mask)
        elif st == HOLD:
            ref = self.dosing.ref
            if ref is not None and ref.fast and ref.holding:
                self.settle_poll(now, moving_p)
            elif ticks.diff(now, self.until, mask) >= 0 and (
                    ref is None or ref.hold_done(self.hal.pressure_kpa(), now, mask)) \
                    and not self.after_hold(now):
                self.start_axis(self.plunger, BACKWARD, self.relief_move, RELIEF, now)
        elif st == RELIEF:
            if not moving_p:
                self.account_plunger()
                self.start_axis(self.carriage, BACKWARD, self.depth_move, RETRACT, now)
        elif st == RETRACT:
            if not moving_c:
                self.end_shot(faults.NONE, True)
                self.state = PACE
                if self.stop_code != faults.NONE:
                    self.trip(self.stop_code, now)
                    return ticks.add(now, MONITOR_US, mask)
                self.until = ticks.add(self.t_start, self.zone.pace_ms * 1000, mask)
                self.planned = False
        elif st == PACE:
            return self.poll_pace(now)
        elif st == PRIME:
            return self.prime_poll(now, moving_p)
        elif st == HOMING:
            if self.inputs.level(IN_CARRIAGE_HOME):
                self.carriage.stop()
                self.carriage.zero()
                self.enter_armed(now)
            elif not moving_c or ticks.diff(now, self.until, mask) >= 0:
                self.carriage.stop()
                self.trip(faults.HOME_FAILED, now)
        elif st == SAFING:
            if (not moving_p and not moving_c) or ticks.diff(now, self.until, mask) >= 0:
                self.plunger.stop()
                self.carriage.stop()
                self.account_plunger()
                self.state = FAULT
            return ticks.add(now, MONITOR_US, mask)
        else:
            return ticks.add(now, IDLE_US, mask)
        if ADVANCE <= self.state <= RETRACT:
            return self.motion_wake(now, self.state)
        return ticks.add(now, MONITOR_US, mask)

    def after_hold(self, now):
        """Perfusion: the next bolus, or wait for it needle in; False: the needle comes out."""
        act = self.flow.after_hold(self.zone, self.stop_code != faults.NONE)
        if act == flow.NEXT:
            # The next bolus must fit the fill too; else the needle comes out after this one
            # and the gun asks for a refill at the next point.
            nxt = self.dosing.dose_steps(self.session.syringe_nl + 2 * self.zone.dose_nl)
            if not self.fill.fits(self.dosing, nxt):
                act = flow.OUT
        if act == flow.OUT:
            return False
        if act == flow.BOLUS:
            if not self.may_start():
                self.flow.wait_next()  # due again once the log has room for its record
                self.until = ticks.add(now, MONITOR_US, self.mask)
                return True
            self.t_start = now
            self.t_start_ms = self.ms
            self.start_axis(self.plunger, FORWARD, self.dose_move, DOSE, now)
            return True
        self.end_shot(faults.NONE, True)
        self.shot_index = self.session.shot_i
        self.prepare()  # plans the next bolus while the plunger rests (not on a motion)
        self.flow.wait_next()
        self.until = ticks.add(self.t_start, self.zone.bolus_every_ms * 1000, self.mask)
        return True

    def poll_pace(self, now):
        mask = self.mask
        if not self.planned:
            # Between shots: the zone may have ended; plan the next shot now.
            if self.session.zone() is not None:
                self.prepare()
            self.planned = True
        left = ticks.diff(self.until, now, mask)
        if left > 0:
            return ticks.add(now, left if left < IDLE_US else IDLE_US, mask)
        zone = self.session.zone()
        same = zone is not None and zone is self.zone
        if same and zone.mode == MODE_BURST and self.inputs.level(IN_TRIGGER) \
                and self.stop_code == faults.NONE and not self.pause_request:
            # Burst: shots follow at the rate while the trigger is held.
            if self.inputs.level(IN_CONTACT) and self.may_start():
                self.begin_shot(now)
                return ticks.add(now, MONITOR_US, mask)
        self.cue(now)
        planned = self.planned
        self.enter_armed(now)
        self.planned = planned and self.state == ARMED
        return ticks.add(now, MONITOR_US, mask)
