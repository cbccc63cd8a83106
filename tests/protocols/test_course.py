"""`meso course`: schedule by age, overrides, and an .ics that an iCalendar parser reads."""

import datetime

import icalendar
import pytest

from host.cli import main
from host.commands import course


@pytest.mark.parametrize("age,sessions,first_gaps", [
    (29, 4, [21, 21, 21]),
    (35, 4, [14, 14, 14]),
    (50, 6, [3, 4, 3, 4, 3]),
])
def test_schedule_by_age(age, sessions, first_gaps):
    n, gaps = course.schedule_for(age)
    events = course.dates(datetime.date(2026, 12, 1), n, gaps)
    days = [d for d, _ in events]
    assert len(events) == sessions + 1
    assert [(b - a).days for a, b in zip(days, days[1:-1])] == first_gaps
    assert (days[-1] - days[-2]).days == course.MAINTENANCE_DAYS
    assert events[-1][1] == "maintenance session"


def test_age_outside_table_needs_overrides(capsys):
    assert main(["course", "--age", "42", "--start", "2026-12-01"]) == 1
    assert "no schedule for age 42" in capsys.readouterr().err
    assert main(["course", "--age", "42", "--start", "2026-12-01", "--sessions", "3",
                 "--every-days", "10", "--no-maintenance"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["2026-12-01 10:00  session 1 of 3", "2026-12-11 10:00  session 2 of 3",
                   "2026-12-21 10:00  session 3 of 3"]


def test_bad_dates(capsys):
    assert main(["course", "--age", "35", "--start", "2026-13-01"]) == 1
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_ics_parses(tmp_path, capsys):
    path = tmp_path / "course.ics"
    title = "Mesotherapy, face; Ana \\ test " + "long " * 20
    assert main(["course", "--age", "50", "--start", "2026-12-28", "--time", "16:30",
                 "--title", title, "--ics", str(path)]) == 0
    raw = path.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(raw)
    events = [c for c in cal.walk("VEVENT")]
    assert len(events) == 7
    starts = [e.decoded("DTSTART") for e in events]
    assert starts[0] == datetime.datetime(2026, 12, 28, 16, 30)
    assert starts[1] == datetime.datetime(2026, 12, 31, 16, 30)  # across the new year
    assert str(events[0]["SUMMARY"]) == title + ": session 1 of 6"
    assert "SPF 30" in str(events[0]["DESCRIPTION"])
    assert len({str(e["UID"]) for e in events}) == 7
    assert events[0].decoded("DURATION") == datetime.timedelta(minutes=45)
