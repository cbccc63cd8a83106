"""The practitioner's hand on a streamed run: pause and resume, a fault's question, the
refill's, and Ctrl-C (the first pauses and asks, a second aborts).

Ctrl-C only sets a flag while the run goes on, and the run's loop acts on it between two
reads of the link, so an interrupt never lands in the middle of a frame; at a question, or
once a pause was asked, it aborts at once (KeyboardInterrupt, as before).
"""

import signal

from firmware.wire import messages as M
from firmware.wire.states import state_name
from host.cliutil.prompt import Keys, NoAnswer, ask
from host.link import control

WHAT_THE_GUN_DID = ("the gun stopped the plunger, relieved the pressure, retracted the "
                    "needle and sounded the alarm; the fault is latched")
FAULT_HELP = {
    "occlusion": "the line is blocked: fit a new needle",
    "contact_lost": "the nose left the skin during the shot",
    "stall_plunger": "the plunger motor stalled: check the syringe and the line",
    "syringe_empty": "the syringe ran out during the shot",
    "link_lost": "the laptop stopped answering",
}


class Hand:
    """on_tick, on_fault and on_refill for a StreamRun; stop is set when the practitioner
    chose to stop (the run is then aborted at a safe point and can be resumed)."""

    def __init__(self, session, view, out, where):
        self.s = session
        self.view = view
        self.out = out
        self.where = where  # where(): text of the last point given, for the questions
        self.run = None
        self.interrupts = 0
        self.asking = False
        self.stop = None
        self.waiting = None  # what the gun waits for while a question is open
        self.keys = Keys()

    def __enter__(self):
        self.keys.__enter__()
        self.before = signal.signal(signal.SIGINT, self._sigint)
        return self

    def __exit__(self, *exc):
        signal.signal(signal.SIGINT, self.before)
        self.keys.__exit__(*exc)

    def _sigint(self, signum, frame):
        self.interrupts += 1
        if self.asking or self.interrupts > 1:
            raise KeyboardInterrupt

    def question(self, text):
        self.view.pause_view()
        self.asking = True
        try:
            answer = ask(self.s, text, self.out).lower()
            self.waiting = None
            return answer
        finally:
            self.asking = False
            self.view.resume_view()

    def tick(self):
        st = None
        while True:  # the heartbeat's answers: the latest says what the gun is doing
            got = self.s.take((M.STATUS,))
            if got is None:
                break
            st = M.unpack(M.STATUS, got[2])[1]
        if st is not None:
            self.view.status(st)
        if self.stop is None and (self.interrupts or "p" in self.keys.take()):
            self.pause()

    def pause(self):
        """Hold the gun at the next safe point, then ask whether to go on or stop."""
        why = "Ctrl-C" if self.interrupts else "paused"
        control.pause(self.s)
        while True:  # the shot in progress ends first (needle out)
            self.run.collect()
            st = self.s.status()
            if state_name(st["state"]) not in ("advance", "dose", "hold", "relief", "retract",
                                               "pace", "safing", "homing"):
                break
        self.run.collect()
        if self.run.outcome is not None:  # the last point was being given: nothing to hold
            return
        self.out.write("%s: the gun is paused, needle out, after %s\n" % (why, self.where()))
        try:
            answer = self.question("Enter: go on;  s: stop here (meso run --resume LOG goes "
                                   "on later);  Ctrl-C: abort ")
        except NoAnswer:
            raise KeyboardInterrupt from None  # nobody to answer (end of input): abort
        if answer in ("s", "stop"):
            self.stop = "stopped by the practitioner"
            self.run.abort()
            self.run.outcome, self.run.reason = "stopped", self.stop
        else:
            control.resume(self.s)
        self.interrupts = 0

    def on_fault(self, text):
        """The fault's question: True to acknowledge and go on with the next point not given,
        False to stop."""
        if self.run is not None:  # (None: a fault still latched when a resume begins)
            self.run.collect()
        self.waiting = "fault"
        self.out.write("FAULT: %s%s after %s.\n%s.\n" % (
            text, " (" + FAULT_HELP[text] + ")" if text in FAULT_HELP else "", self.where(),
            WHAT_THE_GUN_DID))
        answer = self.question("a: acknowledge and continue with the next point not given;  "
                               "s: stop ")
        if answer in ("a", "ack", "acknowledge", "c", "continue"):
            # The caller acknowledges (StreamRun.acknowledge, or the resume's latched fault).
            self.out.write("acknowledged: the gun homes and goes on\n")
            return True
        self.out.write("stopped with the fault latched (meso run --resume LOG goes on later)\n")
        return False

    def on_refill(self, text):
        self.waiting = "syringe empty"
        self.question("syringe empty: %s, then press Enter (Ctrl-C stops the session) " % text)
