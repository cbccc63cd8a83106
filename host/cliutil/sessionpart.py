"""A session in parts, the same for `meso run` and `meso ui`: begun, or taken up again from
its log (the same gun, protocol and patient), then one part streamed from the next point not
given, the log rewritten after every shot.

The front ends bring only their hands: the hooks that show shots and answer the pause,
fault and refill questions (host/cliutil/runctl.py on a terminal, host/ui/session.py on
the page).
"""

from firmware.wire import faults
from firmware.wire.states import FAULT
from host.cliutil import record, session_log
from host.errors import MesoError
from host.link import control, resume
from host.link.stream import StreamRun

RESUME_HINT = "meso run --resume LOG (its session log)"


def begin(s, core, screen, accepted, clinical=None, resume_hint=RESUME_HINT):
    """A new session's log (not yet on disk); refused while the gun holds an interrupted one
    (resume_hint: how this front end goes on with it)."""
    if control.interrupted(s):
        raise MesoError("the gun holds a session interrupted by a power cut: go on with "
                        "%s, or discard it on the gun" % resume_hint)
    doc = session_log.new(core, s.identity["info"]["device_id"], screen, accepted)
    if clinical is not None:  # the clinical record (host/cliutil/record.py)
        doc["record"] = record.finish(clinical, s.identity, screen, doc["accepted_warnings"])
        doc["patient"] = clinical.get("patient_ref") or None
    return doc


def take_up(s, doc, log_path, core=None, patient=None, say=print):
    """A stopped session's (core, points given so far), refusing another gun, protocol
    (core: the one given now, if any) or patient in one line."""
    check_same(doc, log_path, s, core, patient or None)
    if control.interrupted(s):  # a power cut: this log and the journal take over
        control.discard_interrupted(s)
        say("the gun's interrupted session is taken over by this resume")
    control.settle(s)
    return doc["protocol"], given_so_far(s, doc)


def given_so_far(s, doc):
    """(zone, point) pairs given in the log's earlier parts: its shots and, for each part,
    the gun's journal records from where that part began."""
    points = set()
    for part in doc["parts"]:
        recs = resume.part_records(control.read_journal_from(s, part["journal_start"]))
        for r in resume.given_in_journal(recs):
            m = resume.to_original(r, part["first"])
            points.add((m["zone"], m["index"]))
    return resume.given_points(doc["shots"], points)


def check_same(doc, log_path, s, core=None, patient=None):
    """Refuse, in one line, to resume on another gun, protocol or patient."""
    device = s.identity["info"]["device_id"]
    if doc["device"] != device:
        raise MesoError("cannot resume %s: it was given with gun %s, this is gun %s"
                        % (log_path, doc["device"], device))
    if core is not None and resume.sha256(core) != doc["protocol_sha256"]:
        raise MesoError("cannot resume %s: the protocol differs from the session's (SHA-256 "
                        "%s, the log's %s)" % (log_path, resume.sha256(core)[:12],
                                               doc["protocol_sha256"][:12]))
    recorded = doc.get("patient")
    if recorded is not None and patient is not None and recorded != patient:
        raise MesoError("cannot resume %s: it is patient %s's session, not %s"
                        % (log_path, recorded, patient))


def latched(s, on_fault, say=print):
    """A fault the gun still holds from the stop: this tool's own stop (abort) is
    acknowledged; any other is the practitioner's (on_fault(name) True: acknowledge)."""
    st = s.status()
    if st["state"] != FAULT:
        return
    name = faults.name(st["fault"])
    if name != "abort" and not on_fault(name):
        raise MesoError("not resumed: the gun holds its fault (%s)" % name)
    control.ack_fault(s)
    if name == "abort":
        say("the gun's stop (abort) from the last part is acknowledged")


class Part:
    """One part of a session, from the next point not given (first; None: nothing is left).

    on_shot(record) and on_zone(zone) get the session's numbering; stream() gives the
    StreamRun to run, end() records how it ended and returns the session's summary."""

    def __init__(self, s, doc, core, given, log_path, on_shot=None, on_zone=None):
        self.s, self.doc, self.core, self.log_path = s, doc, core, log_path
        self.on_shot, self.on_zone = on_shot, on_zone
        self.first = resume.next_point(core, given)
        self.resumed = bool(doc["parts"])
        self.holes = resume.missed(core, given, self.first) \
            if self.first is not None and self.resumed else []
        self.last = None  # the last record of this part
        self.run = self.info = None

    def where(self):
        """The last point given, as the questions name it."""
        r = self.last
        if r is None:
            return "no point of this part yet"
        return "point %d of zone %s" % (r["index"] + 1, self.core["zone"][r["zone"]]["name"])

    def point_name(self, point):
        zone, index = point
        return "%s #%d" % (self.core["zone"][zone]["name"], index + 1)

    def stream(self, **hooks):
        """Record the part in the log and return its StreamRun (hooks: on_tick, on_fault,
        on_refill, as StreamRun takes them), ready to run()."""
        first, doc = self.first, self.doc
        part_core = resume.remainder(self.core, *first)
        info = self.info = session_log.add_part(doc, first, control.journal_size(self.s),
                                                part_core)
        session_log.save(self.log_path, doc)

        def shot(rec, raw):
            m = resume.to_original(rec, first)
            self.last = m
            doc["shots"].append(m)
            info["shots"] += 1
            session_log.save(self.log_path, doc)  # a laptop crash loses no shot the gun reported
            if self.on_shot:
                self.on_shot(m)

        def zone_done(z):
            if self.on_zone:
                self.on_zone(z + first[0])

        self.run = StreamRun(self.s, part_core, on_shot=shot, on_zone=zone_done,
                             journal_start=info["journal_start"], **hooks)
        return self.run

    def end(self):
        """Write how the part ended (the run's outcome and reason) and the session's summary."""
        run, info, doc = self.run, self.info, self.doc
        if len(run.shots) > info["shots"]:  # the backfill brought records the link had lost
            doc["shots"] = doc["shots"][:len(doc["shots"]) - info["shots"]] + [
                resume.to_original(r, self.first) for r in run.shots]
            info["shots"] = len(run.shots)
        info["outcome"], info["reason"], info["ended"] = run.outcome, run.reason, \
            session_log.now_text()
        summ = session_log.refresh(doc, run.outcome, run.reason)
        session_log.save(self.log_path, doc)
        return summ
