"""`meso run PROTOCOL --port P`: stream a protocol to the gun and watch every shot.

Validates first (on the board the device reports), screens for contraindications, streams
zone by zone with a live progress bar, Ctrl-C sends ABORT, writes the session log and prints
the summary.
"""

import datetime
import os
import sys

from host.cliutil import protocol_file, record
from host.cliutil.output import write_json
from host.cliutil.port import add_port_arguments, open_session
from host.cliutil.progress import Progress
from host.cliutil.prompt import NoAnswer, ask
from host.errors import MesoError
from host.link.errors import LinkError, TransportError
from host.link.stream import StreamRun, summary
from host.screening import Contraindicated

COMMAND = "run"
HELP = "stream a protocol to a device, with live progress, and write the session log"


def add_arguments(p):
    p.add_argument("protocol", metavar="PROTOCOL", help="protocol file (.toml)")
    add_port_arguments(p)
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


def stream(path, port, baud, screened_by=None, confirm=None, log_path=None, json_out=None,
           verbose=False, out=None, clinical=None):
    """Run one protocol file on the device at port; return the summary (raise on failure)."""
    out = out or sys.stdout
    proto = protocol_file.load(path)
    log_path = log_path or default_log(path)
    for target in (log_path, json_out):
        # Shots given must never lose their log: refuse an unwritable path before any.
        folder = os.path.dirname(os.path.abspath(target)) if target and target != "-" else None
        if folder and not os.path.isdir(folder):
            raise MesoError("cannot write %s: no folder %s" % (target, folder))
    try:
        screen = screening(screened_by)
    except Contraindicated as e:
        # The answers are part of the record even when they stop the session.
        summ = {"protocol": proto.path, "outcome": "not started", "reason": str(e), "shots": 0}
        write_json(log_path, {"summary": summ, "shots": [], "screening": e.record})
        raise
    s = open_session(port, baud, signed=True)
    try:
        core = protocol_file.core_for(proto, s.identity["info"]["board"], confirm)
        view = Progress(core, out, verbose)
        def refill(text):
            view.end()
            ask(s, "syringe empty: %s, then press Enter (Ctrl-C stops the session) " % text)

        run = StreamRun(s, core, on_shot=lambda rec, raw: view.shot(rec), on_zone=view.zone_done,
                        on_refill=refill)
        error = None
        try:
            run.run()
        except NoAnswer as e:
            # The gun waits for a syringe with the needle out; no one answered here.
            run.outcome, run.reason = "syringe empty", str(e)
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
    finally:
        s.close()
    summ = summary(core, run.shots, run.outcome, run.reason)
    summ["device"] = s.identity["info"]["device_id"]
    doc = {"summary": summ, "shots": run.shots, "protocol": core, "screening": screen,
           "accepted_warnings": getattr(proto, "accepted_warnings", [])}
    if clinical is not None:  # the clinical record (host/cliutil/record.py)
        doc["record"] = record.finish(clinical, s.identity, screen, doc["accepted_warnings"])
    write_json(log_path, doc)
    if json_out:
        write_json(json_out, {"summary": summ, "shots": run.shots})
    print_summary(summ, out)
    print("session log: %s" % log_path, file=out)
    if error is not None:
        raise error
    if run.outcome != "done":
        raise MesoError("run stopped: %s%s" % (run.outcome, ": " + run.reason if run.reason
                                                 else ""))
    return summ


def run(args):
    clinical = record.collect(args, protocol_file.load(args.protocol).head)
    record.warn_missing(clinical)
    stream(args.protocol, args.port, args.baud, args.screened_by,
           None if args.yes else protocol_file.ask_confirm, args.log, args.json, args.verbose,
           clinical=clinical)
    return 0
