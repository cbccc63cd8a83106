"""The shot log never drops a record: a shot (a perfusion bolus too) waits while its record
could not be kept, in the journal and in the telemetry, whatever the load."""

from rig import Rig, protocol

from firmware.link import Link
from firmware.shotlog import RING
from firmware.wire import messages as M
from firmware.wire.record import decode, read_journal

BOLUSES = 10 * RING  # ten times what the RAM ring holds, in one insertion


def perfusion(points):
    return protocol([{"name": "scalp", "mode": "perfusion", "points": points, "depth_mm": 1.0,
                      "dose_ul": 1, "bolus_every_s": 1}])


def test_ten_times_the_ring_in_one_insertion_loses_no_record():
    rig = Rig(perfusion(BOLUSES))
    link = Link(rig.hal, rig.app, rig.board, "t-1")
    link.nonce = 1  # a host is there
    sent = []
    queue = link._queue

    def spy(mid, values=(), tail=None):  # what the link hands to the wire
        if mid == M.SHOT:
            sent.append(decode(tail)["shot"])
        queue(mid, values, tail)

    link._queue = spy
    rig.arm()
    rig.pull()  # one pull: the needle goes in and stays in for every bolus
    link_every_us = 2 * RING * 1000000  # the host drains the telemetry far slower than shots come
    waited = 0
    while rig.state() != "done":
        rig.run_for(link_every_us, max_us=20000)
        link.poll(rig.hal.now)
        waited += link_every_us
        assert waited < 40 * BOLUSES * 1000000, rig.state()
    rig.run_for(100000)
    link.poll(rig.hal.now)
    shots = [r["shot"] for r in read_journal(bytes(rig.hal.files["shots.log"]))]
    assert shots == list(range(1, BOLUSES + 1))
    assert sent == list(range(1, BOLUSES + 1))
    assert rig.app.session.shots == BOLUSES


def test_an_untethered_run_queues_no_telemetry_for_a_host_that_is_not_there():
    rig = Rig(perfusion(2 * RING))
    link = Link(rig.hal, rig.app, rig.board, "t-1")
    rig.arm()
    rig.pull()
    while rig.state() != "done":
        rig.run_for(1000000, max_us=20000)
        link.poll(rig.hal.now)
    assert link.outbox == [] and link.sent_shots == 2 * RING
    assert len(read_journal(bytes(rig.hal.files["shots.log"]))) == 2 * RING
