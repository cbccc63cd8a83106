"""A streamed run whose telemetry lost shot records takes them from the device's journal."""

from firmware.shotlog import ShotLog, read_journal
from host.link.stream import StreamRun


class Journal:
    """The device side of read_log: a journal written by the firmware's own ShotLog."""

    def __init__(self, records):
        self.files = {}
        log = ShotLog()
        for r in records:
            log.add(*r)
            log.flush(self, "shots.log")

    def write_at(self, name, at, buf, start, n):
        assert at < 0  # the journal is only ever appended to
        self.files[name] = self.files.get(name, b"") + bytes(buf[start:start + n])

    def read_log(self):
        return self.files["shots.log"]


def rec(shot, zone, index, fault=0):
    return (shot, zone, index, 0, fault, 20000, 1000, 1000, shot * 900, shot * 900 + 500,
            20000)


def test_missing_records_come_from_the_journal():
    old_session = [rec(n, 0, n - 1) for n in (1, 2, 3)]
    # This session: shot 2 tripped before its dose (not counted), then was given again.
    this_session = [rec(1, 0, 0), rec(2, 0, 1, fault=7), rec(2, 0, 1), rec(3, 1, 0),
                    rec(4, 1, 1)]
    device = Journal(old_session + this_session)
    proto = {"zone": [{"points": 2}, {"points": 2}]}
    run = StreamRun(device, proto)
    got = read_journal(device.read_log())[3:]
    run.raw = [got[0], got[4]]  # the link brought shots 1 and 4 only
    assert run.incomplete()
    run.backfill()
    assert [(r["shot"], r["fault"]) for r in run.raw] == [(1, 0), (2, 7), (2, 0), (3, 0), (4, 0)]
    assert [s["fault"] for s in run.shots] == [None, "switch", None, None, None]
    assert not run.incomplete()
