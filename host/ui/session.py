"""The live session behind `meso ui`: `meso run`'s session code on a thread, as events.

The page never talks to the gun. One thread owns the link (host.link is not thread-safe);
the page's buttons become commands on a queue that the thread carries out between pumps,
and everything that happens becomes an event in a list the page reads from any index
(a reloaded page reads it again from 0). The session itself (begin or resume, its parts,
its log, acknowledge and continue) is host/cliutil/sessionpart.py, as for `meso run`; this
module is only the page's hand on it.
"""

import queue
import threading
import time

from firmware.wire import faults
from firmware.wire.states import STATE_NAMES
from host.cliutil import protocol_file, session_log, sessionpart
from host.cliutil.port import open_session
from host.errors import MesoError
from host.link import control
from host.link.errors import LinkError, TransportError
from host.ui import checks

# What a fault means, in the practitioner's words (names from firmware/wire/faults.py).
FAULT_WORDS = {
    "contact_lost": "skin contact was lost while the needle was in",
    "stall_plunger": "the plunger motor stalled (more load than it can push)",
    "stall_carriage": "the needle carriage motor stalled",
    "occlusion": "the line pressure rose beyond the limit (blocked needle?)",
    "syringe_empty": "the syringe ran empty during a dose",
    "home_failed": "the needle carriage did not find its home switch",
    "switch": "a switch reads a state that cannot be (stuck switch?)",
    "timeout": "a step of the shot took longer than it may",
    "link_lost": "the gun lost this laptop while streaming",
    "limit": "a shot would have broken a hard limit",
    "abort": "the session was aborted",
    "power": "the gun lost power mid-session",
}
RESUME_HINT = "Resume in this page's list of interrupted sessions (its log)"
CONTROLS = ("pause", "resume", "abort", "ack", "stop", "refilled")


class Stopped(Exception):
    """The practitioner pressed abort or stop while the gun was waiting."""


class LiveSession:
    """One session, new (protocol_path) or resumed (resume_log, protocol_path optional, as
    `meso run --resume LOG [PROTOCOL]`): start() returns at once; ready is set once the
    gun streams or the session ended; events() and state tell how it goes."""

    def __init__(self, protocol_path, port, log_path, screening, record, accept_warnings,
                 resume_log=None):
        self.path = protocol_path
        self.port = port
        self.log_path = resume_log or log_path
        self.resume_log = resume_log
        self.screening = screening
        self.record = record
        self.accept_warnings = accept_warnings
        self.commands = queue.Queue()
        self.cond = threading.Condition()
        self.ready = threading.Event()
        self._link = None
        self.run = None
        self.log = []  # events, each a dict with "kind"
        self.state = "starting"
        self.outcome = self.reason = None
        self.finished = False
        self.thread = threading.Thread(target=self._main, daemon=True, name="meso-ui-session")

    # -- for the server -------------------------------------------------------
    def start(self):
        self.thread.start()

    def command(self, name):
        if name not in CONTROLS:
            raise MesoError("unknown control %r (allowed: %s)" % (name, ", ".join(CONTROLS)))
        if self.finished:
            raise MesoError("the session has ended")
        self.commands.put(name)

    def events(self, since=0):
        with self.cond:
            return self.log[since:]

    def wait(self, since, timeout_s):
        with self.cond:
            self.cond.wait_for(lambda: len(self.log) > since, timeout_s)
            return self.log[since:]

    def _emit(self, kind, **fields):
        fields["kind"] = kind
        fields["t"] = round(time.time(), 3)
        with self.cond:
            if kind == "state":
                self.state = fields["state"]
            self.log.append(fields)
            self.cond.notify_all()

    def _say(self, text):
        self._emit("note", message=text)

    # -- the session thread -----------------------------------------------------
    def _main(self):
        s = doc = part = None
        summ, outcome, reason = None, "not started", ""
        try:
            proto = protocol_file.load(self.path) if self.path else None
            doc = session_log.load(self.resume_log) if self.resume_log else None
            s = self._link = open_session(self.port, signed=True)
            info = s.identity["info"]
            self._emit("gun", device_id=info.get("device_id"), board=info.get("board"),
                       firmware=info.get("firmware"))
            core = None if proto is None else protocol_file.core_for(
                proto, info["board"], None if self.accept_warnings else lambda n: False)
            if doc is None:
                doc = sessionpart.begin(s, core, self.screening,
                                        getattr(proto, "accepted_warnings", []), self.record,
                                        RESUME_HINT)
                given = set()
            else:
                core, given = sessionpart.take_up(s, doc, self.log_path, core,
                                                  (self.record or {}).get("patient_ref"),
                                                  self._say)
            plan = checks.plan_of(proto, info["board"]) if proto else checks.plan_of_core(core)
            self._emit("plan", zones=plan["zones"], planned=plan["points"],
                       time_s=plan["time_s"], name=plan["name"])
            part = sessionpart.Part(s, doc, core, given, self.log_path, on_shot=self._shot,
                                    on_zone=self._zone)
            self.ready.set()  # the gun, the log and the protocol agree: the session is on
            if given:
                self._emit("given", points=sorted(given), delivered_ul=round(sum(
                    r["delivered_ul"] for r in doc["shots"]), 3))
            if part.first is None:
                outcome, reason = "done", "every point of this session was given already"
                summ = session_log.refresh(doc, outcome, reason)
                return
            if part.resumed:
                if part.holes:
                    self._say("points not given, passed over: %s"
                              % ", ".join(part.point_name(h) for h in part.holes))
                self._say("resuming at point %d of zone %s" % (
                    part.first[1] + 1, core["zone"][part.first[0]]["name"]))
                sessionpart.latched(s, self._fault, self._say)
            self.run = part.stream(on_tick=self._tick, on_refill=self._refill,
                                   on_fault=self._fault)
            self._state("running")
            self.run.run()
        except Stopped:
            outcome, reason = "aborted", "aborted by the practitioner"
            if self.run is not None:
                self.run.outcome, self.run.reason = outcome, reason
                try:
                    self.run.abort()
                except (LinkError, TransportError):
                    pass
        except (LinkError, TransportError) as e:
            if self.run is not None:
                self.run.outcome, self.run.reason = "link lost", str(e)
            outcome, reason = "link lost", str(e)
            self._emit("link_lost", message="%s; the log of the shots given is kept" % e)
        except MesoError as e:
            if self.run is not None:
                self.run.outcome, self.run.reason = "stopped", str(e)
            reason = str(e)
            self._emit("error", message=reason)
        finally:
            if s is not None:
                try:
                    s.close()
                except (LinkError, TransportError, OSError):
                    pass
            if self.run is not None:
                summ = part.end()
                outcome, reason = self.run.outcome, self.run.reason
            self._end(summ, outcome, reason, doc is not None and summ is not None)

    def _end(self, summ, outcome, reason, logged):
        self.outcome, self.reason = outcome, reason
        self._state(outcome)
        self.finished = True
        self._emit("end", outcome=outcome, reason=reason,
                   log=self.log_path if logged else None, summary=summ)
        self.ready.set()

    def _state(self, name):
        self._emit("state", state=name)

    def _shot(self, rec):
        self._emit("shot", zone=rec["zone"], index=rec["index"], delivered_ul=rec["delivered_ul"],
                   fault=rec["fault"], t_end_s=rec["t_end_s"])

    def _zone(self, zone):
        self._emit("zone_done", zone=zone)

    def _tick(self):
        """Between pumps: carry out what the practitioner asked (control: signed on a
        paired gun where its lock guards the command, as `meso run` sends them)."""
        while True:
            try:
                name = self.commands.get_nowait()
            except queue.Empty:
                return
            if name == "pause":
                control.pause(self._link)
                self._state("paused")
            elif name == "resume":
                control.resume(self._link)
                self._state("running")
            elif name in ("abort", "stop"):
                raise Stopped()

    def _await(self, wanted):
        """Keep the link alive until the practitioner presses one of wanted (or abort)."""
        while True:
            try:
                name = self.commands.get_nowait()
            except queue.Empty:
                self._link.pump(50000)
                continue
            if name in wanted:
                return name
            if name in ("abort", "stop"):
                raise Stopped()

    def _refill(self, text):
        self._state("refill")
        self._emit("refill", message="syringe empty: %s" % text)
        self._await(("refilled",))
        self._state("running")

    def _fault(self, text):
        """StreamRun's on_fault (and a fault still latched when a resume begins): say what
        happened and what the gun did; True once acknowledged, and the run goes on with the
        next point not given (StreamRun.acknowledge, as for `meso run`)."""
        st = self._link.status()
        self._state("fault")
        name = faults.name(st["fault"])
        self._emit("fault", fault=name, what=FAULT_WORDS.get(name, text or name),
                   gun="the gun went to its safe state: plunger stopped, pressure relieved, "
                       "needle retracted, alarm on (gun state: %s); it holds the fault until "
                       "it is acknowledged" % STATE_NAMES[st["state"]])
        self._await(("ack",))
        self._emit("ack")
        self._state("running")
        return True

    def snapshot(self):
        return {"state": self.state, "finished": self.finished, "events": len(self.log)}
