"""`meso report LOG -o report.html [--pdf]`: the clinical report, the patient handout, a PNG."""

import os

from host import protocol as protocols
from host import report
from host.cliutil.output import add_json_argument, emit, to_stdout
from host.errors import MesoError
from host.report import log as logs

COMMAND = "report"
HELP = ("turn a session log (device or simulator JSON) into a clinical report, a patient "
        "handout (HTML, and PDF with --pdf) and a PNG")


def add_arguments(p):
    p.add_argument("log", metavar="LOG", help="session log (.json)")
    p.add_argument("-o", "--output", default="report.html",
                   help="HTML file to write (default: %(default)s)")
    p.add_argument("--png", help="PNG to write (default: beside the HTML, same name)")
    p.add_argument("--handout", metavar="HTML",
                   help="the patient's handout (default: beside the report, NAME-handout.html)")
    p.add_argument("--pdf", action="store_true",
                   help="also write both as PDF, beside the HTML files (needs WeasyPrint)")
    p.add_argument("--protocol", metavar="FILE",
                   help="protocol file (.toml) for the planned figures if the log has none")
    add_json_argument(p, "the totals and the files written")


def outputs(args):
    return report.outputs(args.output, args.png, args.handout, args.pdf)


def run(args):
    planned = None
    if args.protocol:
        planned = protocols.checked(args.protocol).core()
    log = logs.load(args.log, planned)
    files = outputs(args)
    for target in files.values():
        folder = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(folder):
            raise MesoError("cannot write %s: no folder %s" % (target, folder))
    try:
        report.write(log, files["report"], files["png"], files["handout"])
    except OSError as e:
        raise MesoError("cannot write the report %s: %s" % (e.filename or args.output,
                                                            e.strerror or e))
    except ValueError as e:  # matplotlib: a picture name whose suffix is no image format
        raise MesoError("cannot write the picture %s: %s (use .png)" % (files["png"], e))
    if args.pdf:
        report.write_pdf(files["report"], files["report_pdf"])
        report.write_pdf(files["handout"], files["handout_pdf"])
    t = log.totals()
    if args.json:
        emit(args.json, COMMAND, {"totals": t, "files": files,
                                  "delivered_source": "simulator" if log.simulated else "gun"})
    if not to_stdout(args.json):
        print("%s: %d shots, %.1f of %.1f µL delivered (%s), %d fault%s" % (
            args.output, t["shots"], t["delivered_ul"], t["commanded_ul"],
            "simulated" if log.simulated else "the gun's estimate", t["faults"],
            "" if t["faults"] == 1 else "s"))
        print("written: %s" % ", ".join(v for k, v in files.items() if k != "report"))
    return 0
