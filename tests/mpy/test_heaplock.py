"""A whole point-mode shot, trigger to retract, and a whole session's shot cycles with their
journal appends and progress saves on flash, under micropython.heap_lock().

Any allocation on the shot path (a float, a big int, a slice, a formatted string, a list, a
file opened) raises MemoryError while the heap is locked, so this passing means the path
allocates nothing on the real interpreter.
"""

import gc
import os
import time

import micropython
import vfs
from rig import Rig, burst_zone, held_line, pass_zone, point_zone, protocol
from storehal import StoreHAL, mounted

from firmware import board as boards
from firmware import hal as H
from firmware import progress
from firmware.app import JOURNAL
from firmware.wire.record import read_journal


def drive_locked(rig, until_state, each=None, steps=20000):
    """Poll through the shot with the heap locked until until_state; return states seen.
    each(state), if given, runs after every step (it must not allocate either)."""
    seen = [0] * 32  # preallocated: the test itself must not allocate under the lock
    n = 0
    gc.collect()
    micropython.heap_lock()
    try:
        for _ in range(steps):
            rig.step(1000)
            st = rig.app.machine.state
            if n == 0 or seen[n - 1] != st:
                seen[n] = st
                n += 1
            if each is not None:
                each(st)
            if rig.state() == until_state:
                break
    finally:
        micropython.heap_unlock()
    return seen[:n]


def line_empties(rig):
    """drive_locked()'s each(): while holding, the line empties, 1 kPa every 20 ms."""
    k = [0]

    def empties(st):
        if st == 5:  # HOLD
            k[0] += 1
            if k[0] % 20 == 0 and rig.hal.kpa > 0:
                rig.hal.kpa -= 1

    return empties


def ready(proto):
    rig = Rig(proto, start_us=(1 << 30) - 200000)  # the tick wraps during the shot
    rig.arm()
    rig.touch(True)
    rig.run_for(40000)  # contact settles and the shot is planned before the lock
    rig.trigger(True)
    return rig


def test_point_shot_allocates_nothing():
    rig = ready(protocol([point_zone(points=2)]))
    seen = drive_locked(rig, "pace")
    assert rig.state() == "pace", seen
    assert len(seen) >= 6, seen  # advance, dose, hold, relief, retract, pace
    assert rig.app.session.shots == 1
    assert rig.app.log.count == 1
    assert rig.hal.motor_position(H.AXIS_CARRIAGE) == 0


_PLANS = [0, 0]  # plans made, plans made with the heap locked (module globals: a closure
_PLAN_INTO = []  # called with eight arguments would allocate their array itself)


def _probed(prof, segs, capacity, n_steps, v_sps, a_sps2, clock_hz, tol_ticks):
    _PLANS[0] += 1
    try:
        bytearray(16)
    except MemoryError:
        _PLANS[1] += 1
    return _PLAN_INTO[0](prof, segs, capacity, n_steps, v_sps, a_sps2, clock_hz, tol_ticks)


def test_a_shot_is_planned_with_the_heap_locked():
    # With the heap free, MicroPython puts every large function frame of a plan on it (and
    # frees it at the return): the allocator searches the heap at each call, and may start a
    # collection. prepare() locks the heap: each plan of a move finds it locked.
    from firmware import motion

    rig = Rig(protocol([point_zone(name="a", depth_mm=1.0), point_zone(name="b", depth_mm=1.5)]))
    rig.arm()
    rig.run_for(20000)
    m = rig.app.machine
    s = rig.app.session
    _PLAN_INTO[:] = [motion.plan_into]
    motion.plan_into = _probed
    try:
        for zone in (1, 0, 1):
            s.zone_i = zone
            m.prepare()
    finally:
        motion.plan_into = _PLAN_INTO[0]
    assert _PLANS[0] >= 3 and _PLANS[1] == _PLANS[0], _PLANS
    assert bytearray(16)  # and the heap is free again after it


def test_contact_loss_trip_allocates_nothing_until_safing():
    rig = ready(protocol([point_zone(points=2)]))
    rig.run_until("dose", max_us=100)
    rig.touch(False)
    drive_locked(rig, "safing")
    assert rig.state() == "safing"


def test_burst_shot_allocates_nothing():
    rig = ready(protocol([burst_zone(points=3)]))
    drive_locked(rig, "pace")
    assert rig.app.session.shots == 1


def test_pressure_held_shot_allocates_nothing():
    # A board with a sensor: priming sets the reference (the reading stands at 120 kPa, so
    # the push stops at once and the settle times out), then the shot's hold follows the
    # pressure down with the heap locked, ending at the reference as line.py works it out.
    rig = held_line(protocol([point_zone(points=2)]), start_us=(1 << 30) - 200000)
    rig.trigger(True)
    seen = drive_locked(rig, "pace", line_empties(rig), steps=40000)
    assert rig.state() == "pace", seen
    assert rig.app.session.shots == 1


def test_continuous_pass_on_a_held_line_allocates_nothing():
    # A pass on a line held on its pressure (firmware/line.py's plan_pass): its sweep counts
    # what the line holds at every reading, stops, and the hold follows the pressure down to
    # the level the count asked for, all with the heap locked. The reading stands at 120 kPa
    # while it sweeps (a tissue pressing back hard: the sweep runs its whole move).
    rig = held_line(protocol([pass_zone()]), start_us=(1 << 30) - 200000, q_w_nl_s=24000,
                    air_us_per_kpa=19000)
    ref = rig.app.machine.dosing.ref
    rig.trigger(True)
    seen = drive_locked(rig, "pace", line_empties(rig), steps=60000)
    assert rig.state() == "pace", seen
    assert rig.app.session.shots == 1
    assert ref.due  # primed again before the next pass


def test_settled_shot_with_its_top_up_allocates_nothing():
    # A line too fast to hold on the pressure (firmware/settle.py): the hold waits out the
    # measured time constant, reads the tissue's pressure, tops the line up by a move
    # planned on the shot path, settles again and relieves, all with the heap locked.
    rig = Rig(protocol([point_zone(points=2)]), start_us=(1 << 30) - 200000)
    rig.hal.kpa = 120  # primed at once (the reading never falls: the reference's path)
    rig.arm()
    rig.run_until("armed", limit_us=10000000)
    m = rig.app.machine
    ref = m.dosing.ref
    ref.tau_us = 20000  # as priming a fast line measures it (20 ms), and drains it to zero
    ref.push_dk = 0
    ref.primed_fast(rig.app.session.syringe_nl)
    assert ref.fast and not ref.ok
    rig.hal.kpa = 20  # the tissue's back-pressure, read once the line has settled
    rig.touch(True)
    rig.run_for(40000)
    rig.trigger(True)
    topped = [0]

    def watch(st):
        if ref.settle.topping:
            topped[0] = 1

    seen = drive_locked(rig, "pace", watch, steps=40000)
    assert rig.state() == "pace", seen
    assert topped[0] == 1 and ref.settle.done_kpa == 20
    assert rig.app.session.shots == 1


def whole_session(hal):
    """Shot after shot, arm to shot to pace to armed again with the next shot planned, over
    zone changes (a new depth move each time) and a refill, all under one heap lock, with
    every journal append and progress save written to the file store's flash."""
    zones = [point_zone(name="z%d" % i, points=2, dose_ul=200, pace_ms=4000,
                        depth_mm=1.0 + (i % 2) * 0.5) for i in range(4)]
    rig = Rig(protocol(zones, syringe_ml=1), board=hal.board, hal=hal)
    rig.arm()
    rig.pull()  # the first shot: everything it makes once is made
    rig.run_until("armed")
    p = rig.app.progress
    log = rig.app.log
    assert p.in_place and log.flushed == log.count == 1
    saved0 = p.seq
    counts = [0, 0, 0]  # shots, zone changes, refills
    gc.collect()
    micropython.heap_lock()
    try:
        while rig.state() != "done":
            zone = rig.app.session.zone_i
            rig.pull()
            if rig.state() == "refill":
                counts[2] += 1
                rig.app.refilled()
                continue
            rig.run_until("pace", max_us=50000)  # polled at the deadlines the app asks for
            while rig.state() != "armed" and rig.state() != "done":
                rig.step(50000)
            counts[0] += 1
            if rig.app.session.zone_i != zone:
                counts[1] += 1
    finally:
        micropython.heap_unlock()
    assert counts[0] == 7 and counts[1] >= 3 and counts[2] == 1, counts
    assert rig.app.session.shots == 8
    # The journal and the progress were written under the lock, and read back from flash.
    assert log.flushed == log.count == 8
    assert p.seq - saved0 >= 14, (saved0, p.seq)  # a save or two per shot, pending in both
    recs = read_journal(hal.read_file(JOURNAL))
    assert [r["shot"] for r in recs] == list(range(1, 9))
    got = progress.load(hal)
    assert not got.damaged and got.status == progress.DONE and got.shots == 8


def test_whole_session_cycles_allocate_nothing_on_the_ports_own_file_system():
    # The unix port's file system here; the flash's littlefs2 on the rp2 port.
    folder = "/tmp/mesogun-heaplock-%d" % (time.ticks_us() & 0xFFFFFF)
    try:
        whole_session(StoreHAL(boards.by_name("pico"), folder))
    finally:
        for name in os.listdir(folder):
            os.remove(folder + "/" + name)
        os.rmdir(folder)


def session_on_mounted(kind, at):
    point = mounted(kind, at)
    try:
        whole_session(StoreHAL(boards.by_name("pico"), point + "/data"))
    finally:
        vfs.umount(point)


def test_whole_session_cycles_allocate_nothing_on_littlefs():
    # The Pico's file system (littlefs2 on its flash, progsize 256).
    session_on_mounted("lfs2", "/heaplock-lfs")


def test_whole_session_cycles_allocate_nothing_on_fat():
    # The pyboard's file system (the same gun on it).
    session_on_mounted("fat", "/heaplock-fat")
