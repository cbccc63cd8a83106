"""The live session behind `meso ui`: `meso run`'s streaming code on a thread, as events.

The page never talks to the gun. One thread owns the link (host.link is not thread-safe);
the page's buttons become commands on a queue that the thread carries out between pumps,
and everything that happens becomes an event in a list the page reads from any index
(a reloaded page reads it again from 0). This module is the only one of host/ui that knows
StreamRun; the pause, acknowledge and resume code of `meso run` replaces its inner loop.
"""

import queue
import threading
import time

from firmware.wire import faults
from firmware.wire import messages as M
from firmware.wire.states import STATE_NAMES
from host.cliutil import protocol_file, record
from host.cliutil.output import write_json
from host.cliutil.port import open_session
from host.errors import MesoError
from host.link.errors import LinkError, TransportError
from host.link.stream import StreamRun, summary
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
CONTROLS = ("pause", "resume", "abort", "ack", "stop", "refilled")


class Stopped(Exception):
    """The practitioner pressed abort or stop while the gun was waiting."""


class LiveSession:
    """One session: start() returns at once; events() and state tell how it goes."""

    def __init__(self, protocol_path, port, log_path, screening, record, accept_warnings):
        self.path = protocol_path
        self.port = port
        self.log_path = log_path
        self.screening = screening
        self.record = record
        self.identity, self.accepted = None, []
        self.accept_warnings = accept_warnings
        self.commands = queue.Queue()
        self.cond = threading.Condition()
        self._link = None
        self.log = []  # events, each a dict with "kind"
        self.state = "starting"
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

    # -- the session thread -----------------------------------------------------
    def _main(self):
        run = core = s = None
        outcome, reason = "not started", ""
        try:
            proto = protocol_file.load(self.path)
            s = self._link = open_session(self.port, signed=True)
            info = s.identity["info"]
            self._emit("gun", device_id=info.get("device_id"), board=info.get("board"),
                       firmware=info.get("firmware"))
            core = protocol_file.core_for(proto, info["board"],
                                          None if self.accept_warnings else lambda n: False)
            self.identity, self.accepted = s.identity, getattr(proto, "accepted_warnings", [])
            plan = checks.plan_of(proto, info["board"])
            self._emit("plan", zones=plan["zones"], planned=plan["points"],
                       time_s=plan["time_s"], name=plan["name"])
            run = StreamRun(s, core, on_shot=self._shot, on_zone=self._zone,
                            on_tick=lambda: self._tick(run), on_refill=self._refill)
            self._state("running")
            run.run()
            while run.outcome == "fault" and self._fault(s, run):
                self._go_on(s, run)
            outcome, reason = run.outcome, run.reason
        except Stopped:
            outcome, reason = "aborted", "stopped by the practitioner"
            try:
                run.abort()
            except (LinkError, TransportError):
                pass
        except (LinkError, TransportError) as e:
            outcome, reason = "link lost", str(e)
            self._emit("link_lost", message="%s; the log of the shots given is kept" % e)
        except MesoError as e:
            outcome, reason = "not started" if run is None else "stopped", str(e)
            self._emit("error", message=str(e))
        finally:
            if s is not None:
                try:
                    s.close()
                except (LinkError, TransportError, OSError):
                    pass
            self._end(core, run, outcome, reason)

    def _end(self, core, run, outcome, reason):
        doc = None
        if core is not None:
            shots = run.shots if run is not None else []
            summ = summary(core, shots, outcome, reason)
            # The same clinical record as `meso run` keeps (host/cliutil/record.py).
            full = record.finish(self.record, self.identity, self.screening, self.accepted)
            doc = {"summary": summ, "shots": shots, "protocol": core,
                   "screening": self.screening, "accepted_warnings": self.accepted,
                   "record": full}
            write_json(self.log_path, doc)
        self._state(outcome)
        self.finished = True
        self._emit("end", outcome=outcome, reason=reason, log=self.log_path if doc else None,
                   summary=doc["summary"] if doc else None)

    def _state(self, name):
        self._emit("state", state=name)

    def _shot(self, rec, raw):
        self._emit("shot", zone=rec["zone"], index=rec["index"], delivered_ul=rec["delivered_ul"],
                   fault=rec["fault"], t_end_s=rec["t_end_s"])

    def _zone(self, zone):
        self._emit("zone_done", zone=zone)

    def _tick(self, run):
        """Between pumps: carry out what the practitioner asked."""
        while True:
            try:
                name = self.commands.get_nowait()
            except queue.Empty:
                return
            if name == "pause":
                run.s.request(M.PAUSE)
                self._state("paused")
            elif name == "resume":
                if getattr(run.s, "signer", None) is not None:
                    run.s.send(M.RESUME)  # a paired gun takes RESUME signed only
                    run.s.flush()
                else:
                    run.s.request(M.RESUME)
                self._state("running")
            elif name in ("abort", "stop"):
                raise Stopped()

    def _await(self, session, wanted):
        """Keep the link alive until the practitioner presses one of wanted (or abort)."""
        while True:
            try:
                name = self.commands.get_nowait()
            except queue.Empty:
                session.pump(50000)
                continue
            if name in wanted:
                return name
            if name in ("abort", "stop"):
                raise Stopped()

    def _refill(self, text):
        self._state("refill")
        self._emit("refill", message="syringe empty: %s" % text)
        self._await(self._link, ("refilled",))
        self._state("running")

    def _fault(self, s, run):
        """A fault: say what happened and what the gun did; True to acknowledge and go on."""
        st = s.status()
        self._state("fault")
        name = faults.name(st["fault"])
        self._emit("fault", fault=name, what=FAULT_WORDS.get(name, run.reason or name),
                   gun="the gun went to its safe state: plunger stopped, pressure relieved, "
                       "needle retracted, alarm on (gun state: %s); it holds the fault until "
                       "it is acknowledged" % STATE_NAMES[st["state"]])
        return self._await(s, ("ack", "stop")) == "ack"

    def _go_on(self, s, run):
        """Acknowledge the fault and stream on from the zone the gun re-armed at (the gun
        keeps its place in the zone: the next point is the next one not given)."""
        s.send(M.ACK_FAULT)
        s.flush()
        zone = s.status()["zone"]
        self._emit("ack", zone=zone)
        self._state("running")
        run.outcome, run.reason = None, ""
        run.zones_done = run.fed = zone
        run._feed()
        while run.outcome is None:
            s.pump()
            s.check_error()
            run._drain()
            self._tick(run)
        if run.outcome == "done" and run.incomplete():
            run.backfill()
        if run.outcome == "done":
            s.send(M.END_SESSION)
            s.flush()

    def snapshot(self):
        return {"state": self.state, "finished": self.finished, "events": len(self.log)}
