"""`meso run PROTOCOL`: stream a protocol to the gun and watch every shot; `--resume LOG`
goes on with a session that stopped, from the next point not given.

The port is settled first (`--port auto`, host/cli.py), then screening, validation on the
board the gun reports, and the run: a live view, pause and faults answered by the
practitioner (host/cliutil/runctl.py), the session log kept on disk after every shot.
"""

import datetime
import os
import sys

from host.cliutil import protocol_file, record, session_log
from host.cliutil.live import Live
from host.cliutil.output import write_json
from host.cliutil.port import add_port_arguments, open_session
from host.cliutil.prompt import NoAnswer
from host.cliutil.runctl import Hand
from host.errors import MesoError
from host.link import control, resume
from host.link.errors import LinkError, TransportError
from host.link.stream import StreamRun
from host.screening import Contraindicated

COMMAND = "run"
HELP = "stream a protocol to a device, with live progress, and write the session log"


def add_arguments(p):
    p.add_argument("protocol", metavar="PROTOCOL", nargs="?",
                   help="protocol file (.toml); with --resume, checked against the log's")
    add_port_arguments(p)
    p.add_argument("--resume", metavar="LOG",
                   help="go on with the session of this log from the next point not given "
                        "(same protocol, same gun); the log gets the new part")
    p.add_argument("--json", metavar="OUT", help="also write the summary and shots as JSON")
    p.add_argument("--log", metavar="PATH",
                   help="session log path (default: PROTOCOL-DATE-TIME.session.json here)")
    p.add_argument("--screened-by", metavar="NAME",
                   help="the contraindication checklist was done by NAME (else it is asked)")
    p.add_argument("--accept-warnings", "--yes", dest="yes", action="store_true",
                   help="go on despite soft-limit warnings (they are kept in the session log)")
    p.add_argument("--verbose", "-v", action="store_true", help="one line per shot")
    record.add_arguments(p)  # patient, practitioner, product, lots, expiry


def screening(screened_by):
    try:
        from host import screening as sc
    except ImportError:
        return None
    return sc.screen(screened_by=screened_by)


def default_log(path):
    stem = os.path.splitext(os.path.basename(path))[0]
    now = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return "%s-%s.session.json" % (stem, now)


def print_summary(summ, out):
    print("%s: %s, %d/%d shots, %.1f µL commanded, %.1f µL delivered, %d fault%s" % (
        summ["protocol"], summ["outcome"], summ["shots"], summ["planned"], summ["commanded_ul"],
        summ["delivered_ul"], summ["faults"], "" if summ["faults"] == 1 else "s"), file=out)
    for z in summ["zones"]:
        print("  %-16s %4d/%-4d shots  %8.1f µL%s" % (
            z["name"], z["shots"], z["planned"], z["delivered_ul"],
            "  %d fault(s)" % z["faults"] if z["faults"] else ""), file=out)


def _writable(*targets):
    for target in targets:
        # Shots given must never lose their log: refuse an unwritable path before any.
        folder = os.path.dirname(os.path.abspath(target)) if target and target != "-" else None
        if folder and not os.path.isdir(folder):
            raise MesoError("cannot write %s: no folder %s" % (target, folder))


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


def latched(s, hand, out):
    """A fault the gun still holds from the stop: this tool's own stop (abort) is
    acknowledged; any other is the practitioner's to acknowledge."""
    st = s.status()
    from firmware.wire import faults
    from firmware.wire.states import FAULT

    if st["state"] != FAULT:
        return
    name = faults.name(st["fault"])
    if name != "abort":
        if not hand.on_fault(name):
            raise MesoError("not resumed: the gun holds its fault (%s)" % name)
        return
    control.ack_fault(s)
    print("the gun's stop (abort) from the last part is acknowledged", file=out)


def stream(path, port, baud, screened_by=None, confirm=None, log_path=None, json_out=None,
           verbose=False, out=None, resume_log=None, clinical=None):
    """Run (or resume) one protocol file on the gun at port; return the summary."""
    out = out or sys.stdout
    doc = session_log.load(resume_log) if resume_log else None
    if doc is None and not path:
        raise MesoError("no protocol given: meso run PROTOCOL, or meso run --resume LOG")
    proto = protocol_file.load(path) if path else None
    log_path = resume_log or log_path or default_log(path)
    _writable(log_path, json_out)
    screen = None
    if doc is None:
        try:
            screen = screening(screened_by)
        except Contraindicated as e:
            # The answers are part of the record even when they stop the session.
            summ = {"protocol": proto.path, "outcome": "not started", "reason": str(e),
                    "shots": 0}
            write_json(log_path, {"summary": summ, "shots": [], "screening": e.record})
            raise
    s = open_session(port, baud, signed=True)
    try:
        board = s.identity["info"]["board"]
        core = protocol_file.core_for(proto, board, confirm) if proto is not None else None
        if doc is None and control.interrupted(s):
            raise MesoError("the gun holds a session interrupted by a power cut: go on with "
                            "meso run --resume LOG (its session log), or discard it on the gun")
        if doc is None:
            doc = session_log.new(core, s.identity["info"]["device_id"], screen,
                                  getattr(proto, "accepted_warnings", []))
            if clinical is not None:  # the clinical record (host/cliutil/record.py)
                doc["record"] = record.finish(clinical, s.identity, screen,
                                              doc["accepted_warnings"])
                doc["patient"] = clinical.get("patient_ref") or None
            given = set()
        else:
            patient = clinical.get("patient_ref") if clinical else None
            check_same(doc, log_path, s, core, patient or None)
            core = doc["protocol"]
            if control.interrupted(s):  # a power cut: this log and the journal take over
                control.discard_interrupted(s)
                print("the gun's interrupted session is taken over by this resume", file=out)
            control.settle(s)
            given = given_so_far(s, doc)
        summ, error = part(s, doc, core, given, log_path, verbose, out)
    finally:
        s.close()
    if json_out:
        write_json(json_out, {"summary": summ, "shots": doc["shots"]})
    print_summary(summ, out)
    print("session log: %s" % log_path, file=out)
    if error is not None:
        print("go on with: meso run --resume %s" % log_path, file=out)
        raise error
    if summ["outcome"] != "done":
        print("go on with: meso run --resume %s" % log_path, file=out)
        raise MesoError("run stopped: %s%s" % (summ["outcome"], ": " + summ["reason"]
                                                 if summ["reason"] else ""))
    return summ


def part(s, doc, core, given, log_path, verbose, out):
    """One part of the session, from the next point not given; (summary, link error)."""
    first = resume.next_point(core, given)
    view = Live(core, out, verbose, given=sorted(given))
    last = [None]

    def where():
        r = last[0]
        if r is None:
            return "no point of this part yet"
        return "point %d of zone %s" % (r["index"] + 1, core["zone"][r["zone"]]["name"])

    hand = Hand(s, view, out, where)
    if first is None:
        view.end()
        print("every point of this session was given already", file=out)
        return session_log.refresh(doc, "done"), None
    if doc["parts"]:
        holes = resume.missed(core, given, first)
        if holes:
            print("points not given, passed over: %s" % ", ".join(
                "%s #%d" % (core["zone"][z]["name"], i + 1) for z, i in holes), file=out)
        print("resuming at point %d of zone %s" % (first[1] + 1, core["zone"][first[0]]["name"]),
              file=out)
        latched(s, hand, out)
    part_core = resume.remainder(core, *first)
    info = session_log.add_part(doc, first, control.journal_size(s), part_core)
    session_log.save(log_path, doc)

    def shot(rec, raw):
        m = resume.to_original(rec, first)
        last[0] = m
        doc["shots"].append(m)
        info["shots"] += 1
        session_log.save(log_path, doc)  # a laptop crash loses no shot the gun reported
        view.shot(m)

    run = StreamRun(s, part_core, on_shot=shot, on_zone=lambda z: view.zone_done(z + first[0]),
                    on_refill=hand.on_refill, on_fault=hand.on_fault, on_tick=hand.tick,
                    journal_start=info["journal_start"])
    hand.run = run
    error = None
    try:
        with hand:
            run.run()
    except NoAnswer as e:
        # The gun waits with the needle out; no one answered here.
        run.outcome, run.reason = hand.waiting or "no answer", str(e)
    except KeyboardInterrupt:
        view.end()
        print("Ctrl-C: sending ABORT", file=out)
        try:
            run.abort()
            run.outcome, run.reason = "aborted", "Ctrl-C"
        except (LinkError, TransportError) as e:
            # The log of the shots given is written all the same.
            run.outcome, run.reason, error = "aborted", "Ctrl-C; %s" % e, e
    except (LinkError, TransportError) as e:
        run.outcome, run.reason, error = "link lost", str(e), e
    view.end()
    if len(run.shots) > info["shots"]:  # the backfill brought records the link had lost
        doc["shots"] = doc["shots"][:len(doc["shots"]) - info["shots"]] + [
            resume.to_original(r, first) for r in run.shots]
        info["shots"] = len(run.shots)
    info["outcome"], info["reason"], info["ended"] = run.outcome, run.reason, \
        session_log.now_text()
    summ = session_log.refresh(doc, run.outcome, run.reason)
    session_log.save(log_path, doc)
    return summ, error


def run(args):
    if args.resume:  # the record was taken when the session began; --patient is checked
        clinical = {"patient_ref": getattr(args, "record_patient_ref", None)}
    else:
        clinical = record.collect(args, protocol_file.load(args.protocol).head
                                  if args.protocol else {})
        record.warn_missing(clinical)
    stream(args.protocol, args.port, args.baud, args.screened_by,
           None if args.yes else protocol_file.ask_confirm, args.log, args.json, args.verbose,
           resume_log=args.resume, clinical=clinical)
    return 0
