"""Sliding window, retransmission and duplicate suppression on a fake wire and clock."""

from wirekit import Lcg, Wire, zones_sent

from firmware.wire import messages
from firmware.wire.endpoint import MAX_RETRIES


def send_all(w, zones, max_ticks=2000, dt_us=100):
    queue = list(zones)
    for _ in range(max_ticks):
        while queue and w.a.send(messages.RUN_ZONE, (queue[0],)):
            queue.pop(0)
        w.tick(dt_us)
        if not queue and w.a.idle():
            return True
    return False


def test_in_order_exactly_once():
    w = Wire(window=4)
    assert send_all(w, range(40))
    assert zones_sent(w.got_b) == list(range(40))
    assert w.a.sender.retransmits == 0


def test_window_limits_frames_in_flight():
    w = Wire(window=4)
    for i in range(4):
        assert w.a.send(messages.RUN_ZONE, (i,))
    assert not w.a.send(messages.RUN_ZONE, (4,))
    w.tick()
    assert w.a.send(messages.RUN_ZONE, (4,))


def test_lost_frame_recovered_by_nak_before_timeout():
    w = Wire(window=4, rto_us=1000000)
    w.drop_a = lambda i, f: i == 1
    assert send_all(w, range(4), max_ticks=5)
    assert zones_sent(w.got_b) == [0, 1, 2, 3]
    assert w.b.receiver.gaps >= 1
    assert w.a.sender.retransmits >= 1


def test_lost_last_frame_resent_after_timeout():
    w = Wire(window=4, rto_us=1000)
    w.drop_a = lambda i, f: i == 2
    for z in range(3):
        w.a.send(messages.RUN_ZONE, (z,))
    w.tick()
    assert zones_sent(w.got_b) == [0, 1]
    w.tick(999)
    assert zones_sent(w.got_b) == [0, 1]
    w.tick(1)
    assert zones_sent(w.got_b) == [0, 1, 2]
    assert w.a.idle()


def test_duplicate_frame_never_delivered_twice():
    w = Wire(window=4)
    frames = []
    w.drop_a = lambda i, f: frames.append(f) or True
    w.a.send(messages.RUN_ZONE, (7,))
    w.tick()
    for _ in range(3):
        w.b.feed(frames[0], len(frames[0]), w.now)
    w.tick()
    assert zones_sent(w.got_b) == [7]
    assert w.b.receiver.duplicates == 2
    assert w.a.idle()


def test_lost_ack_resends_but_receiver_does_not_repeat():
    w = Wire(window=4, rto_us=1000)
    w.a.send(messages.RUN_ZONE, (1,))
    w.a.poll(w.now)
    f = w.a_out.pop()
    w.b.feed(f, len(f), w.now)
    w.b.poll(w.now)
    w.b_out.clear()  # the acknowledgement is lost
    w.tick(1000)
    w.tick()
    assert zones_sent(w.got_b) == [1]
    assert w.b.receiver.duplicates == 1
    assert w.a.idle()


def test_realtime_repeat_is_flagged_not_fresh():
    w = Wire()
    for tag in (5, 5, 6):
        w.a.send_rt(messages.ABORT, tag)
    w.flush()
    assert [(g[0], g[1], g[3]) for g in w.got_b] == [
        (messages.ABORT, 5, True), (messages.ABORT, 5, False), (messages.ABORT, 6, True)]


def test_realtime_bypasses_a_full_window():
    w = Wire(window=2)
    w.a.send(messages.RUN_ZONE, (0,))
    w.a.send(messages.RUN_ZONE, (1,))
    assert not w.a.can_send()
    w.a.send_rt(messages.PAUSE, 1)
    assert len(w.a_out) == 1  # on the wire at once, the queued frames still wait for poll()
    w.flush()
    assert [g[0] for g in w.got_b] == [messages.PAUSE, messages.RUN_ZONE, messages.RUN_ZONE]


def test_link_failure_after_retries():
    w = Wire(window=4, rto_us=1000)
    w.drop_a = lambda i, f: True
    w.a.send(messages.RUN_ZONE, (1,))
    w.tick()
    for _ in range(MAX_RETRIES):
        w.tick(1000)
        assert not w.a.failed
    w.tick(1000)
    assert w.a.failed
    assert w.got_b == []
    w.drop_a = None  # the line comes back: delivery resumes, the failure clears
    w.tick(1000)
    assert zones_sent(w.got_b) == [1] and not w.a.failed


def test_clock_wrap_keeps_timeouts():
    period = 1 << 30
    w = Wire(window=4, rto_us=1000, period=period, start=period - 300)
    w.drop_a = lambda i, f: i == 0
    w.a.send(messages.RUN_ZONE, (9,))
    w.tick()
    w.tick(999)
    assert w.got_b == [] and w.now < 1000
    w.tick(1)
    assert zones_sent(w.got_b) == [9]


def test_random_loss_and_duplication_both_ways():
    for seed in (1, 2, 3):
        rng = Lcg(seed)
        w = Wire(window=8, rto_us=2000)
        lost = [0]

        def chaos(i, f, rng=rng):
            r = rng.next(100)
            if r < 20:
                lost[0] += 1  # noqa: B023 - called within this iteration
                return True
            if r < 30:
                w.a_out.append(f)  # noqa: B023 - delivered twice, in this iteration
            return False

        w.drop_a = chaos
        orig_wb = w._wb

        def wb(data, rng=rng):
            if rng.next(100) >= 20:
                orig_wb(data)  # noqa: B023 - called within this iteration

        w.b.write = wb
        assert send_all(w, [z % 200 for z in range(300)], max_ticks=100000)
        assert zones_sent(w.got_b) == [z % 200 for z in range(300)]
        assert lost[0] > 20 and w.b.receiver.duplicates > 0
