"""`meso course`: a session calendar from the age-based schedule, as text and as .ics."""

import datetime

from host.cliutil.output import add_json_argument, emit, to_stdout
from host.errors import MesoError
from host.report.course import MAINTENANCE_DAYS, SCHEDULE, course, dates, ics, schedule_for

COMMAND = "course"
HELP = "plan a course of sessions from the patient's age (text, and an .ics calendar)"
# The schedule lives in host/report/course.py (the page makes calendars too); named here as well.
__all__ = ["MAINTENANCE_DAYS", "SCHEDULE", "dates", "ics", "schedule_for"]


def add_arguments(p):
    p.add_argument("--age", type=float, help="patient's age: picks the schedule")
    p.add_argument("--start", required=True, help="first session date, YYYY-MM-DD")
    p.add_argument("--time", default="10:00", help="session time, HH:MM (default: %(default)s)")
    p.add_argument("--sessions", type=int, help="number of sessions (overrides the schedule)")
    p.add_argument("--every-days", type=int, help="days between sessions (overrides)")
    p.add_argument("--title", default="Mesotherapy", help="event title (default: %(default)s)")
    p.add_argument("--no-maintenance", action="store_true",
                   help="leave out the maintenance session about 5 months later")
    p.add_argument("--ics", metavar="FILE", help="also write the calendar as an .ics file")
    add_json_argument(p, "the sessions")


def run(args):
    at_time, events = course(args.start, args.time, args.age, args.sessions, args.every_days,
                             not args.no_maintenance)
    if args.json:
        emit(args.json, COMMAND, {"sessions": [
            {"start": datetime.datetime.combine(d, at_time).isoformat(timespec="minutes"),
             "label": label} for d, label in events]})
    for day, label in events if not to_stdout(args.json) else ():
        print("%s %s  %s" % (day.isoformat(), at_time.strftime("%H:%M"), label))
    if args.ics:
        stamp = datetime.datetime.now(datetime.UTC)
        try:
            with open(args.ics, "wb") as f:
                f.write(ics(events, args.title, at_time, stamp))
        except OSError as e:
            raise MesoError("cannot write %s: %s" % (args.ics, e.strerror or e))
        if not to_stdout(args.json):
            print("calendar written to %s" % args.ics)
    return 0
