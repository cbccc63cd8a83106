"""A course of sessions from the age-based schedule, and its iCalendar (.ics) document:
what `meso course` prints and writes, and the page's course calendar."""

import datetime
import hashlib

from host.report.aftercare import AFTERCARE
from host.report.errors import ReportError

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
    """(sessions, day gaps) for an age, or ReportError when the table has no row for it."""
    for lo, hi, sessions, gaps in SCHEDULE:
        if lo <= age <= hi:
            return sessions, gaps
    ranges = ", ".join("%d-%d" % (lo, hi) for lo, hi, _, _ in SCHEDULE)
    raise ReportError("course: no schedule for age %g in the table (ages %s); give --sessions "
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


def course(start_text, time_text="10:00", age=None, sessions=None, every_days=None,
           maintenance=True):
    """(time of day, [(date, label)]) from the texts a practitioner gives, each checked
    with a one-line ReportError naming what is allowed."""
    try:
        start = datetime.date.fromisoformat(start_text)
        at_time = datetime.time.fromisoformat(time_text)
    except (TypeError, ValueError) as e:
        raise ReportError("course: %s (dates are YYYY-MM-DD, times HH:MM)" % e)
    gaps = None
    if sessions is None or every_days is None:
        if age is None:
            raise ReportError("course: give --age, or both --sessions and --every-days")
        n, gaps = schedule_for(age)
    if sessions is not None:
        if not 1 <= sessions <= 20:
            raise ReportError("course: --sessions %d is outside 1..20" % sessions)
        n = sessions
    if every_days is not None:
        if not 1 <= every_days <= 90:
            raise ReportError("course: --every-days %d is outside 1..90" % every_days)
        gaps = (every_days,)
    return at_time, dates(start, n, gaps, maintenance)


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
