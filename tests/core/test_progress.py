"""Never twice after a power cut: the session's progress on flash, interrupted sessions that
wait for a choice, shot numbers and the boot count that go on across power-ups."""

import hashlib
import json

from rig import Rig, point_zone, protocol

from firmware import progress as prog
from firmware.app import App
from firmware.link import Link
from firmware.link_store import STORED
from firmware.wire import faults
from firmware.wire import messages as M
from firmware.wire.record import read_journal

PROTO = protocol([point_zone(points=4), point_zone(name="chin", points=2)])


def power_up(files=None):
    """A gun powered up with the flash as the cut left it (a copy: the RAM is gone)."""
    rig = Rig()
    rig.hal.files = {k: bytearray(v) for k, v in (files or {}).items()}
    rig.app = App(rig.hal, rig.board)
    rig.link = Link(rig.hal, rig.app, rig.board, "t-1")
    rig.started = rig.link.start()
    rig.poll()
    return rig


def store(rig, proto):
    """What a store upload leaves on flash (firmware/link_store.py)."""
    body = json.dumps(proto).encode()
    sha = hashlib.sha256(body).digest()
    assert rig.app.load_protocol(json.loads(body), sha, 0) == []
    rig.hal.write_file_atomic(STORED, sha + body)
    assert rig.app.ready_stored(sha)
    return sha


def give(rig, n):
    for _ in range(n):
        shots = rig.app.session.shots
        rig.pull()
        while rig.app.session.shots == shots or rig.state() not in ("armed", "done"):
            rig.step()
        rig.touch(False)  # the nose comes off the skin after the shot
        rig.run_for(30000)


def cut_mid_dose(rig):
    rig.touch(True)
    rig.run_for(30000)
    rig.trigger(True)
    rig.run_until("dose", max_us=200)
    return rig.hal.files  # the flash at the instant of the cut


def journal(rig):
    return read_journal(bytes(rig.hal.files.get("shots.log", b"")))


def test_stored_protocol_cut_mid_shot_waits_then_continues_and_gives_every_point_once():
    rig = power_up()
    store(rig, PROTO)
    rig = power_up(rig.hal.files)  # the stored protocol runs from this power-up
    assert rig.started
    rig.run_until("armed")
    give(rig, 4)
    files = cut_mid_dose(rig)

    rig = power_up(files)
    app = rig.app
    assert not rig.started and rig.state() == "idle"
    assert app.interrupted and app.arm() is False  # nothing restarts by itself
    st = app.status()
    assert st["interrupted_at"] == "zone 2 point 2 of 2" and st["boot"] == 3
    wire = rig.link.status()
    assert wire[8] & M.FLAG_INTERRUPTED and wire[11:] == (1, 1, 2)
    rig.run_for(2000000)
    assert rig.state() == "idle" and app.session.shots == 0  # still waiting
    assert app.choose(True)
    rig.run_until("armed")
    give(rig, 1)
    assert rig.state() == "done"
    recs = journal(rig)
    assert [(r["zone"], r["index"]) for r in recs] == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0),
                                                     (1, 1)]
    assert [r["shot"] for r in recs] == [1, 2, 3, 4, 5, 6]
    assert [r["boot"] for r in recs] == [2, 2, 2, 2, 2, 3]  # upload at boot 1
    assert recs[4]["fault"] == faults.POWER and recs[4]["delivered_nl"] == -1
    assert len({(r["boot"], r["shot"]) for r in recs}) == len(recs)

    # A finished stored protocol does not run again at the next power-up.
    rig.run_for(100000)
    rig = power_up(rig.hal.files)
    assert not rig.started and not rig.app.interrupted and rig.state() == "idle"
    rig.run_for(2000000)
    assert len(journal(rig)) == 6


def test_cut_while_moving_between_points_resumes_at_that_point():
    rig = power_up()
    store(rig, PROTO)
    rig = power_up(rig.hal.files)
    rig.run_until("armed")
    give(rig, 2)
    rig.run_for(200000)  # moving to the next point, which has not begun
    rig = power_up(rig.hal.files)
    assert rig.app.status()["interrupted_at"] == "zone 1 point 3 of 4"
    assert rig.app.choose(True)
    rig.run_until("armed")
    give(rig, 4)
    recs = journal(rig)
    assert [(r["zone"], r["index"]) for r in recs] == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0),
                                                     (1, 1)]
    assert not any(r["fault"] for r in recs)


def test_streamed_session_continues_only_with_its_protocol_and_never_repeats_a_point():
    rig = power_up()
    body = json.dumps(PROTO).encode()
    sha = hashlib.sha256(body).digest()
    assert rig.app.load_protocol(PROTO, sha, 1) == []
    rig.arm()
    give(rig, 3)
    files = cut_mid_dose(rig)
    rig = power_up(files)
    app = rig.app
    other = protocol([point_zone(points=2)])
    refused = app.load_protocol(other, hashlib.sha256(b"other").digest(), 1)
    assert refused and "interrupted session waits (zone 1 point 5 of 4)" not in refused[0].why
    assert "continue or discard" in refused[0].why
    assert app.choose(True) is False  # the session's protocol is not loaded yet
    assert app.load_protocol(PROTO, sha, 1) == []
    assert app.choose(True)
    assert app.arm()
    rig.run_until("armed")
    give(rig, 2)
    recs = journal(rig)
    assert [(r["zone"], r["index"]) for r in recs] == [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0),
                                                     (1, 1)]
    assert [r["fault"] for r in recs].count(faults.POWER) == 1


def test_discard_ends_the_interrupted_session_and_damaged_progress_locks_until_discarded():
    rig = power_up()
    assert rig.app.load_protocol(PROTO, bytes(32), 1) == []
    rig.arm()
    give(rig, 1)
    files = dict(rig.hal.files)
    files[prog.FILE] = bytearray(files[prog.FILE])
    for slot in (0, prog.SIZE):  # one flipped bit in each slot: both fail their CRC
        files[prog.FILE][slot + 20] ^= 0x40
    rig = power_up(files)
    app = rig.app
    assert app.interrupted and app.progress.damaged
    assert app.status()["interrupted_at"] == "session progress damaged"
    assert app.load_protocol(PROTO, bytes(32), 1) != []
    assert app.choose(True) is False  # a damaged record cannot be continued
    assert app.choose(False)
    assert not app.interrupted and app.load_protocol(PROTO, bytes(32), 1) == []
    assert app.arm()


def streamed_then_cut():
    """A streamed session cut after two shots, at the next power-up: (rig, protocol sha)."""
    rig = power_up()
    sha = hashlib.sha256(json.dumps(PROTO).encode()).digest()
    assert rig.app.load_protocol(PROTO, sha, 1) == []
    rig.arm()
    give(rig, 2)
    return power_up(rig.hal.files), sha


def test_the_host_continues_a_streamed_session_with_session_choice():
    rig, sha = streamed_then_cut()
    link = rig.link
    assert rig.hal.outputs[1] or rig.app.interrupted  # the LED pattern runs while it waits
    link.nonce = 1
    link._command(M.SESSION_CHOICE, (M.CHOICE_CONTINUE,), b"", 1)
    assert link.outbox[-1][0] == M.ERROR  # the session's protocol is not loaded yet
    assert rig.app.load_protocol(PROTO, sha, 1) == []
    link.streamed = True
    link._command(M.SESSION_CHOICE, (M.CHOICE_CONTINUE,), b"", 1)
    assert not rig.app.interrupted and link.mode == M.MODE_STREAM
    assert link.released == 0 and rig.app.session.shots == 2
    link._command(M.RUN_ZONE, (0,), b"", 1)
    rig.run_until("armed")
    give(rig, 1)
    assert [r["index"] for r in journal(rig)] == [0, 1, 2]


def slots_hal():
    from fakehal import FakeHAL

    return FakeHAL(Rig().board)


def saved(hal, shots, pending=0, p=None):
    p = p or prog.Progress()
    p.status, p.shots, p.point, p.zone_points, p.pending = prog.RUNNING, shots, shots, 40, pending
    prog.save(hal, p)
    return p


def test_a_torn_slot_reads_as_the_other_and_both_torn_read_as_damaged():
    hal = slots_hal()
    p = saved(hal, 5)
    saved(hal, 6, p=p)
    data = hal.files[prog.FILE]
    assert len(data) == 2 * prog.SIZE and prog.load(hal).shots == 6
    newest = (p.seq & 1) * prog.SIZE
    for i in range(prog.SIZE // 2, prog.SIZE):  # the save of 6 cut half way: its tail is old
        data[newest + i] ^= 0x5A
    got = prog.load(hal)
    assert not got.damaged and got.shots == 5 and got.in_place
    saved(hal, 7, p=got)  # the next save goes over the torn slot, never over the good one
    assert prog.load(hal).shots == 7
    for slot in (0, prog.SIZE):
        data[slot + 3] ^= 1
    assert prog.load(hal).damaged


def test_a_shot_that_may_start_is_in_both_slots():
    # A slot damaged after the save that let shot 8 start must not fall back behind it.
    for slot in (0, prog.SIZE):
        hal = slots_hal()
        p = saved(hal, 6)
        saved(hal, 7, pending=1, p=p)
        hal.files[prog.FILE][slot + 10] ^= 0x01
        got = prog.load(hal)
        assert not got.damaged and got.shots == 7 and got.pending == 1


def test_version_1s_one_record_file_is_read_and_made_two_slots_at_the_next_save():
    import struct

    from firmware.wire.record import crc16

    hal = slots_hal()
    old = bytearray(prog.SIZE_1)
    struct.pack_into(prog.FORMAT_1, old, 0, prog.MAGIC, 1, 9, prog.RUNNING, 0, b"\x22" * 32, 1,
                     2, 12, 20, 10, 1, 0, 20000, 1000, 240000, 40000, 240000, 0)
    struct.pack_into("<H", old, prog.SIZE_1 - 2, crc16(old, 0, prog.SIZE_1 - 2))
    hal.files[prog.FILE] = old
    p = prog.load(hal)
    assert not p.damaged and not p.in_place
    assert (p.boot, p.zone, p.point, p.shots, p.pending, p.total_nl) == (9, 1, 2, 12, 1, 240000)
    prog.save(hal, p)
    assert len(hal.files[prog.FILE]) == 2 * prog.SIZE
    got = prog.load(hal)
    assert got.in_place and (got.shots, got.pending, got.sha) == (12, 1, b"\x22" * 32)
    old[20] ^= 1
    hal.files[prog.FILE] = old
    assert prog.load(hal).damaged


def test_a_fresh_stream_on_an_interrupted_gun_is_refused_not_left_waiting():
    """The same protocol streamed afresh to a gun holding its interrupted session loads (a
    continue needs it), but RUN_ZONE cannot arm it: the gun says so instead of keeping the
    host waiting for a shot that never comes."""
    rig, sha = streamed_then_cut()
    link = rig.link
    link.nonce = 1
    assert rig.app.load_protocol(PROTO, sha, 1) == []
    link._begin(M.MODE_STREAM)
    link._command(M.RUN_ZONE, (0,), b"", 1)
    mid, values, text = link.outbox[-1][0], link.outbox[-1][1], bytes(link.outbox[-1][2])
    assert mid == M.ERROR and values == (M.RUN_ZONE, M.E_BUSY), link.outbox[-1]
    assert b"interrupted session waits (zone 1 point 3 of 4)" in text, text
    assert rig.app.interrupted and rig.state() == "idle"
