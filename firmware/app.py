"""The firmware application: inputs, session, shot machine and shot log behind one poll().

A board's main loop (or the simulator) calls poll(now) whenever the deadline it returned
has come or an input changed; the link handler calls the command methods. Nothing here
sleeps or touches hardware except through the HAL.
"""

from firmware import faults, ticks
from firmware.compat import const
from firmware.inputs import Inputs
from firmware.limits import Problem
from firmware.session import Session
from firmware.shot import (ADVANCE, ARMED, FAULT, IDLE, PACE, PAUSED, PRIME, SAFING, STATE_NAMES,
                           ShotMachine)
from firmware.shotlog import ShotLog

JOURNAL = "shots.log"
SETTLE_US = const(50)  # never ask to be polled sooner than this


class App:
    def __init__(self, hal, board):
        self.hal = hal
        self.board = board
        self.period = hal.tick_period
        self.session = Session(board)
        self.inputs = Inputs(board, self.period)
        self.log = ShotLog()
        self.machine = ShotMachine(hal, board, self.inputs, self.session, self.log)
        self.last = hal.ticks()
        self.us_left = 0  # µs not yet counted into the session clock
        self.journal = JOURNAL

    # -- the loop -------------------------------------------------------------
    def poll(self, now):
        """Run everything due at now; return the tick by which to call again."""
        period = self.period
        elapsed = ticks.diff(now, self.last, period)
        if elapsed > 0:
            self.last = now
            us = self.us_left + elapsed
            self.machine.ms += us // 1000
            self.us_left = us % 1000
        self.hal.feed_watchdog()
        # Journal writes go before the machine runs, so the poll that ends a shot never
        # writes a file in the same breath (file I/O allocates and may take ms).
        if self.log.flushed != self.log.count and self.between_shots():
            self.log.flush(self.hal, self.journal)
        wake = self.inputs.update(self.hal.inputs(), now)
        deadline = self.machine.poll(now)
        if wake >= 0 and ticks.diff(wake, deadline, period) < 0:
            deadline = wake
        if ticks.diff(deadline, now, period) < SETTLE_US:
            deadline = ticks.add(now, SETTLE_US, period)
        return deadline

    def between_shots(self):
        """True when no shot is in progress: the moment for slow work such as file writes."""
        st = self.machine.state
        return st < ADVANCE or st >= PACE

    # -- commands (from the link handler, the operator's buttons or a test) ---------
    def load_protocol(self, proto):
        """Check and load a protocol (refused whole if any limit is broken)."""
        if not self.between_shots() or self.machine.state in (SAFING, PRIME):
            return [Problem(-1, "protocol", None, "between shots", "busy: a shot is in progress")]
        m = self.machine
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
                if m.dosing is not None:
                    m.carry = m.dosing
            else:
                m.carry = None
            m.dosing = None
            m.state = IDLE
            m.planned = False
            m.pause_request = False  # a pause belongs to the session it was asked in
        return problems

    def arm(self):
        return self.machine.arm(self.hal.ticks())

    def select_zone(self, i):
        if self.machine.state != ARMED and self.machine.state != PAUSED:
            return False
        if not self.session.select_zone(i):
            return False
        self.machine.planned = False
        return True

    def abort(self):
        self.machine.abort(self.hal.ticks())

    def pause(self):
        self.machine.pause(self.hal.ticks())

    def resume(self):
        return self.machine.resume(self.hal.ticks())

    def ack_fault(self):
        return self.machine.ack(self.hal.ticks())

    def refilled(self):
        return self.machine.refilled(self.hal.ticks())

    def link_lost(self):
        """The host stopped answering while streaming: stop at the next safe point."""
        self.machine.stop_at_safe_point(faults.LINK_LOST, self.hal.ticks())

    def status(self):
        """A snapshot for STATUS frames and displays."""
        m = self.machine
        s = self.session
        return {
            "state": STATE_NAMES[m.state],
            "fault": faults.name(m.fault),
            "latched": m.state == FAULT,
            "zone": s.zone_i,
            "shot_in_zone": s.shot_i,
            "shots": s.shots,
            "total_nl": s.total_nl,
            "syringe_nl": s.syringe_nl,
            "log_count": self.log.count,
        }
