"""The report of a session the page ran: what `meso report LOG -o HTML` writes."""

import os

from host import report
from host.errors import MesoError
from host.report import log as logs


def write_for(log_path, html_path):
    """Write the report (HTML and its PNG beside it) for a session log."""
    log = logs.load(log_path)
    try:
        report.write(log, html_path, os.path.splitext(html_path)[0] + ".png")
    except OSError as e:
        raise MesoError("cannot write the report %s: %s" % (html_path, e.strerror or e))
