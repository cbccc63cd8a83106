"""The firmware application: inputs, session, shot machine and shot log behind one poll().

A board's main loop (or the simulator) calls poll(now) whenever the deadline it returned
has come or an input changed; the link handler calls the command methods. Nothing here
sleeps or touches hardware except through the HAL.
"""

from firmware import progress as prog
from firmware import ticks
from firmware.compat import const
from firmware.hal import IN_CONTACT, OUT_LED
from firmware.inputs import Inputs
from firmware.limits import Problem
from firmware.session import Session
from firmware.shot import ShotMachine
from firmware.shotlog import ShotLog
from firmware.wire import faults
from firmware.wire.states import ADVANCE, ARMED, PACE, PAUSED, PRIME, SAFING, STATE_NAMES

JOURNAL = "shots.log"
SETTLE_US = const(50)  # never ask to be polled sooner than this
BLINK_MS = const(1000)  # interrupted session: the LED flashes once a second until a choice
BLINK_ON_MS = const(200)
BLINK_US = const(50000)


class App:
    def __init__(self, hal, board):
        self.hal = hal
        self.board = board
        self.mask = hal.tick_mask
        self.session = Session(board)
        self.inputs = Inputs(board, self.mask)
        self.log = ShotLog()
        self.machine = ShotMachine(hal, board, self.inputs, self.session, self.log)
        self.last = hal.ticks()
        self.us_left = 0  # µs not yet counted into the session clock
        self.journal = JOURNAL
        self.sha = prog.NO_SHA  # SHA-256 of the protocol loaded (its upload's)
        self.streamed = 1  # the protocol loaded came to be streamed (0: stored)
        self.fresh = False  # loaded and not yet armed: the next arm starts a session
        self.resumed = False  # continued after a power cut: the dose model starts at its total
        self.led = False
        self.progress = prog.load(hal)  # keeps its file open for the saves in place
        try:
            hal.open_file(JOURNAL)  # kept open: a session's appends then allocate nothing
        except OSError:
            pass  # the first append fails the same way, and stops the session (STORAGE)
        self.interrupted = False  # a session cut by a power loss waits: continue or discard
        self.power_up()

    # -- session progress across power cuts ---------------------------------------
    def power_up(self):
        """Count the boot; a session found under way was cut: it waits for a choice, and a
        shot that may have started when the power went is logged and counted as given."""
        p = self.progress
        old_boot = p.boot
        p.boot = (p.boot + 1) & 0xFFFF
        self.log.boot = p.boot
        if p.damaged:
            self.interrupted = True  # nothing runs until the session is discarded
            self.machine.cue(self.hal.ticks())
            return
        if p.status == prog.RUNNING:
            self.interrupted = True
            self.machine.cue(self.hal.ticks())  # a beep, then the LED flashes (poll)
            if p.pending:
                self.log.boot = old_boot  # the record belongs to the power-up it happened in
                self.log.add(p.shots + 1, p.zone, p.point, p.p_mode, faults.POWER, p.p_dose_nl,
                             0, p.p_depth_um, 0, 0, -1)
                self.log.boot = p.boot
                self._keep_journal()
                p.pending = 0
                p.shots += 1
                p.point += 1
                p.total_nl += p.p_dose_nl
                p.zone_nl += p.p_dose_nl
                p.syringe_nl += p.p_dose_nl
                if p.point >= p.zone_points:
                    p.zone += 1
                    p.point = 0
                    p.zone_nl = 0
                    p.zone_points = 0  # the next zone's: known once its protocol is loaded
        self._save()

    def _save(self):
        try:
            prog.save(self.hal, self.progress)
            return True
        except OSError:
            return False

    def _keep_journal(self):
        try:
            self.log.flush(self.hal, self.journal)
            return True
        except OSError:
            return False

    def choose(self, go_on, now=None):
        """The answer to an interrupted session: go on from the next point not given (the
        same protocol loaded again) or discard it. A stored session goes on untethered; a
        streamed one when the host releases its zone. False if there is nothing to choose
        or the protocol loaded is not the session's."""
        if not self.interrupted:
            return False
        p = self.progress
        if not go_on:
            p.clear()
            p.damaged = False
            self.interrupted = False
            self._led(False)
            return self._save()
        s = self.session
        if p.damaged or not s.loaded or self.sha != p.sha or p.zone > len(s.zones):
            return False
        s.zone_i, s.shot_i, s.shots = p.zone, p.point, p.shots
        s.total_nl, s.zone_nl, s.syringe_nl = p.total_nl, p.zone_nl, p.syringe_nl
        self.interrupted = False
        self.fresh = False
        self.resumed = True
        self._led(False)
        if not p.streamed:
            return self.arm(now)
        return True

    def ready_stored(self, sha):
        """A protocol was stored: it runs from the next power-up, once."""
        if self.interrupted:
            return False
        p = self.progress
        p.clear()
        p.status = prog.READY
        p.streamed = 0
        p.sha = bytes(sha)
        return self._save()

    def start_stored(self, now=None):
        """At power-up: arm the stored protocol loaded if it was stored and never started."""
        p = self.progress
        if self.interrupted or p.status != prog.READY or p.sha != self.sha:
            return False
        return self.arm(now)

    def keep_progress(self, now):
        """Bring the progress on flash up to the session (between shots), and let the next
        shot start only once the flash says it may have started."""
        p = self.progress
        s = self.session
        m = self.machine
        if self.interrupted or not s.loaded or p.status != prog.RUNNING or p.sha != self.sha:
            return
        zone = s.zone()
        if zone is None:  # every point given: a finished session never runs again by itself
            self._copy(None, 0)
            p.status = prog.DONE
            self._save()
            return
        # Pending from the nose on the skin until the shot is counted: a cut in that time
        # may have come mid-shot, and the point then counts as given (never twice).
        st = m.state
        if st == ARMED or st == PACE:
            pending = self.inputs.level(IN_CONTACT)
        elif m.resting():
            pending = True
        else:
            pending = p.pending == 1 and p.shots == s.shots
        want = 1 if pending else 0
        if (p.shots != s.shots or p.pending != want or p.zone != s.zone_i
                or p.point != s.shot_i or p.syringe_nl != s.syringe_nl):
            self._copy(zone, want)
            if not self._save():
                p.pending = 0
                m.allow_start(-2)
                m.stop_at_safe_point(faults.STORAGE, now)
                return
        m.allow_start(p.shots if p.pending else -2)

    def _copy(self, zone, pending):
        p = self.progress
        s = self.session
        p.zone, p.point, p.shots = s.zone_i, s.shot_i, s.shots
        p.total_nl, p.zone_nl, p.syringe_nl = s.total_nl, s.zone_nl, s.syringe_nl
        p.pending = pending
        if zone is not None:
            p.zone_points = zone.points
            p.p_mode, p.p_dose_nl, p.p_depth_um = zone.mode, zone.dose_nl, zone.depth_um

    def _led(self, on):
        if on != self.led:
            self.led = on
            self.hal.output(OUT_LED, on)

    def _begin_session(self):
        p = self.progress
        s = self.session
        p.clear()
        p.status = prog.RUNNING
        p.streamed = self.streamed
        p.sha = self.sha
        for z in s.zones:
            p.points += z.points
        zone = s.zone()
        if zone is not None:
            self._copy(zone, 0)
        return self._save()

    # -- the loop -------------------------------------------------------------
    def poll(self, now):
        """Run everything due at now; return the tick by which to call again."""
        mask = self.mask
        elapsed = ticks.diff(now, self.last, mask)
        if elapsed > 0:
            self.last = now
            us = self.us_left + elapsed
            self.machine.count_ms(us // 1000)
            self.us_left = us % 1000
        self.hal.feed_watchdog()
        wake = self.inputs.update(self.hal.inputs(), now)
        # Journal and progress writes go before the machine runs, so the poll that ends a
        # shot never writes a file in the same breath (file I/O allocates and may take ms).
        if self.quiet():
            if self.log.flushed != self.log.count and not self._keep_journal():
                self.machine.stop_at_safe_point(faults.STORAGE, now)
            self.keep_progress(now)
        deadline = self.machine.poll(now)
        if wake >= 0 and ticks.diff(wake, deadline, mask) < 0:
            deadline = wake
        if self.interrupted:
            # The pattern that says "interrupted: continue or discard".
            self._led(self.machine.ms % BLINK_MS < BLINK_ON_MS)
            blink = ticks.add(now, BLINK_US, mask)
            if ticks.diff(blink, deadline, mask) < 0:
                deadline = blink
        if ticks.diff(deadline, now, mask) < SETTLE_US:
            deadline = ticks.add(now, SETTLE_US, mask)
        return deadline

    def between_shots(self):
        """True when no shot is in progress: the moment for slow work such as file writes."""
        st = self.machine.state
        return st < ADVANCE or st >= PACE

    def quiet(self):
        """Between shots, or resting between two perfusion boluses: the plunger and the
        carriage stand still, so files can be written."""
        if self.machine.state == PRIME:
            return False  # the plunger creeps to the reference: its stop must not wait
        return self.between_shots() or self.machine.resting()

    # -- commands (from the link handler, the operator's buttons or a test) ---------
    def load_protocol(self, proto, sha=None, streamed=1):
        """Check and load a protocol (refused whole if any limit is broken). sha: its
        upload's SHA-256, which names the session in the progress kept on flash."""
        if not self.between_shots() or self.machine.state in (SAFING, PRIME):
            return [Problem(-1, "protocol", None, "between shots", "busy: a shot is in progress")]
        if self.interrupted and (self.progress.damaged or sha is None
                                 or bytes(sha) != self.progress.sha):
            return [Problem(-1, "protocol", None, "the interrupted session's protocol",
                            "an interrupted session waits (%s): continue or discard it first"
                            % self.where())]
        s = self.session
        was = s.syringe if s.loaded else None
        syringe_nl = s.syringe_nl
        problems = s.load(proto)
        if not problems:
            # The syringe stays on the gun from one protocol to the next (a new one is fitted
            # at a refill, which zeroes the count): its fill and the plunger's state carry
            # over while the protocols name the same size.
            if s.syringe is was:
                s.syringe_nl = syringe_nl
            self.machine.loaded(s.syringe is was)
            self.sha = prog.NO_SHA if sha is None else bytes(sha)
            self.streamed = streamed
            p = self.progress
            if self.interrupted and p.zone < len(s.zones):
                p.zone_points = s.zones[p.zone].points
            self.fresh = True
            self.resumed = False
        return problems

    # Commands take the tick they are given at, as poll(now) does; without one, the HAL's.
    def _now(self, now):
        return self.hal.ticks() if now is None else now

    def arm(self, now=None):
        """Arm the session loaded; the first arm after a load starts its progress record.
        Refused while an interrupted session waits for a choice."""
        if self.interrupted:
            return False
        m = self.machine
        if not m.arm(self._now(now)):
            return False
        if self.fresh:
            self.fresh = False
            if not self._begin_session():
                m.stop_at_safe_point(faults.STORAGE, self._now(now))
        if self.resumed and m.dosing is not None:
            # After a power cut the plunger stands where the last dose left it, its model
            # is new: the next dose starts from the session's running total.
            self.resumed = False
            m.dosing.rebase(self.session.syringe_nl, -1)
        return True

    def where(self):
        """Where the session stands, as a practitioner counts: 'zone Z point P of N'."""
        if self.progress.damaged:
            return "session progress damaged"
        return prog.where(self.progress)

    def select_zone(self, i, now=None):
        if self.machine.state != ARMED and self.machine.state != PAUSED:
            return False
        if not self.session.select_zone(i):
            return False
        self.machine.replan()
        return True

    def abort(self, now=None):
        self.machine.abort(self._now(now))

    def pause(self, now=None):
        self.machine.pause(self._now(now))

    def resume(self, now=None):
        return self.machine.resume(self._now(now))

    def ack_fault(self, now=None):
        return self.machine.ack(self._now(now))

    def refilled(self, now=None):
        return self.machine.refilled(self._now(now))

    def link_lost(self, now=None):
        """The host stopped answering while streaming: stop at the next safe point."""
        self.machine.stop_at_safe_point(faults.LINK_LOST, self._now(now))

    def status(self):
        """A snapshot for STATUS frames and displays."""
        state, fault, latched = self.machine.status()
        s = self.session
        return {
            "state": STATE_NAMES[state],
            "fault": faults.name(fault),
            "latched": latched,
            "zone": s.zone_i,
            "shot_in_zone": s.shot_i,
            "shots": s.shots,
            "total_nl": s.total_nl,
            "syringe_nl": s.syringe_nl,
            "log_count": self.log.count,
            "boot": self.progress.boot,
            "session": prog.STATUS_NAMES[self.progress.status],
            "interrupted": self.interrupted,
            "interrupted_at": self.where() if self.interrupted else "",
        }
