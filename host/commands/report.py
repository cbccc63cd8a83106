"""`meso report LOG -o report.html`: planned against delivered, dose errors, faults, aftercare."""

import os

from host import protocol as protocols
from host import report
from host.errors import MesoError
from host.report import log as logs

COMMAND = "report"
HELP = "turn a session log (device or simulator JSON) into an HTML report and a PNG"


def add_arguments(p):
    p.add_argument("log", metavar="LOG", help="session log (.json)")
    p.add_argument("-o", "--output", default="report.html",
                   help="HTML file to write (default: %(default)s)")
    p.add_argument("--png", help="PNG to write (default: beside the HTML, same name)")
    p.add_argument("--protocol", metavar="FILE",
                   help="protocol file (.toml) for the planned figures if the log has none")


def run(args):
    planned = None
    if args.protocol:
        planned = protocols.checked(args.protocol).core()
    log = logs.load(args.log, planned)
    png = args.png or os.path.splitext(args.output)[0] + ".png"
    for target in (args.output, png):
        folder = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(folder):
            raise MesoError("cannot write %s: no folder %s" % (target, folder))
    try:
        report.write(log, args.output, png)
    except OSError as e:
        raise MesoError("cannot write the report %s: %s" % (e.filename or args.output,
                                                            e.strerror or e))
    except ValueError as e:  # matplotlib: a picture name whose suffix is no image format
        raise MesoError("cannot write the picture %s: %s (use .png)" % (png, e))
    t = log.totals()
    print("%s: %d shots, %.1f of %.1f µL delivered, %d fault%s; picture %s"
          % (args.output, t["shots"], t["delivered_ul"], t["commanded_ul"], t["faults"],
             "" if t["faults"] == 1 else "s", png))
    return 0
