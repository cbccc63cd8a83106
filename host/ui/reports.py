"""The files of a session the page ran, as `meso report LOG -o HTML [--pdf]` and
`meso course` write them: the clinical report, the patient handout, their PDFs, the
course calendar."""

import datetime
import json
import os

from host import report
from host.errors import MesoError
from host.report import course
from host.report import log as logs

KINDS = ("report", "handout", "report_pdf", "handout_pdf")


def write_for(log_path, kind="report"):
    """The path of one file of the log's report (kind: KINDS), written beside the log by
    host/report's own code; the pages again only when the log is newer than they are."""
    if kind not in KINDS:
        raise MesoError("no report file %r (allowed: %s)" % (kind, ", ".join(KINDS)))
    files = report.outputs(os.path.splitext(log_path)[0] + ".report.html", pdf=True)
    fresh = os.path.isfile(files["handout"]) and \
        os.path.getmtime(files["handout"]) >= os.path.getmtime(log_path)
    try:
        if not fresh:
            report.write(logs.load(log_path), files["report"], files["png"], files["handout"])
        if kind.endswith("_pdf"):
            report.write_pdf(files[kind[:-4]], files[kind])
    except OSError as e:
        raise MesoError("cannot write the report %s: %s" % (e.filename or files["report"],
                                                            e.strerror or e))
    return files[kind]


def session_day(log_path):
    """The date the session began (its record, else its log's first part), for the
    course's first session; today when the log says neither."""
    try:
        with open(log_path, encoding="utf-8") as f:
            doc = json.load(f)
        text = (doc.get("record") or {}).get("session_start") or \
            (doc.get("parts") or [{}])[0].get("started") or ""
        return datetime.date.fromisoformat(text[:10])
    except (OSError, ValueError, AttributeError, TypeError):
        return datetime.date.today()


def calendar(start, at, age=None, sessions=None, every_days=None, maintenance=True,
             title="Mesotherapy"):
    """(rows for the page, .ics bytes) of the course, as `meso course ... --ics` makes it."""
    at_time, events = course.course(start, at, age, sessions, every_days, maintenance)
    rows = [{"start": datetime.datetime.combine(d, at_time).isoformat(timespec="minutes"),
             "label": label} for d, label in events]
    return rows, course.ics(events, title, at_time, datetime.datetime.now(datetime.UTC))
