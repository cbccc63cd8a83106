"""`meso course`: a session calendar from the age-based schedule, as text and as .ics."""

import datetime
import hashlib

from host.cliutil.output import add_json_argument, emit, to_stdout
from host.errors import MesoError
from host.report.aftercare import AFTERCARE

COMMAND = "course"
HELP = "plan a course of sessions from the patient's age (text, and an .ics calendar)"

# One clinic's schedule (clinical reference): (lowest age, highest age, sessions, day gaps).
# Twice a week alternates 3 and 4 days.
SCHEDULE = (
    (28, 30, 4, (21,)),
    (30, 40, 4, (14,)),
    (45, 65, 6, (3, 4)),
)
MAINTENANCE_DAYS = 150  # about every 5 months
SESSION_MIN = 45


def schedule_for(age):
    """(sessions, day gaps) for an age, or MesoError when the table has no row for it."""
    for lo, hi, sessions, gaps in SCHEDULE:
        if lo <= age <= hi:
            return sessions, gaps
    ranges = ", ".join("%d-%d" % (lo, hi) for lo, hi, _, _ in SCHEDULE)
    raise MesoError("course: no schedule for age %g in the table (ages %s); give --sessions "
                    "and --every-days" % (age, ranges))


def dates(start, sessions, gaps, maintenance=True):
    """[(date, label)] of the course, and the maintenance session after it."""
    out, day = [], start
    for i in range(sessions):
        out.append((day, "session %d of %d" % (i + 1, sessions)))
        day += datetime.timedelta(days=gaps[i % len(gaps)])
    if maintenance:
        last = out[-1][0]
        out.append((last + datetime.timedelta(days=MAINTENANCE_DAYS), "maintenance session"))
    return out


def ics(events, title, at_time, stamp):
    """The course as an iCalendar document (bytes, CRLF line ends; icalendar escapes and
    folds the lines)."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//mesogun//meso course//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    care = "Aftercare: " + " ".join(AFTERCARE)
    for day, label in events:
        uid = hashlib.sha256(("%s|%s|%s" % (title, day, label)).encode()).hexdigest()[:24]
        ev = icalendar.Event()
        ev.add("uid", "%s@mesogun" % uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", datetime.datetime.combine(day, at_time))  # the clinic's local time
        ev.add("duration", datetime.timedelta(minutes=SESSION_MIN))
        ev.add("summary", "%s: %s" % (title, label))
        ev.add("description", care)
        cal.add_component(ev)
    return cal.to_ical()


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
    try:
        start = datetime.date.fromisoformat(args.start)
        at_time = datetime.time.fromisoformat(args.time)
    except ValueError as e:
        raise MesoError("course: %s (dates are YYYY-MM-DD, times HH:MM)" % e)
    sessions, gaps = None, None
    if args.sessions is None or args.every_days is None:
        if args.age is None:
            raise MesoError("course: give --age, or both --sessions and --every-days")
        sessions, gaps = schedule_for(args.age)
    if args.sessions is not None:
        if not 1 <= args.sessions <= 20:
            raise MesoError("course: --sessions %d is outside 1..20" % args.sessions)
        sessions = args.sessions
    if args.every_days is not None:
        if not 1 <= args.every_days <= 90:
            raise MesoError("course: --every-days %d is outside 1..90" % args.every_days)
        gaps = (args.every_days,)
    events = dates(start, sessions, gaps, not args.no_maintenance)
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
