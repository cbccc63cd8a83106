"""The MicroPython side of bench.chip: heap, bytes allocated and time per step of a session,
printed as one "key value" line each (run by bench/chip.py under the unix port). The journal
appends and progress saves are written through the boards' file store (tests/mpy/storehal.py)."""

import gc
import os
import sys
import time

gc.collect()
BASE = gc.mem_alloc()
T0 = time.ticks_us()
import firmware.app  # noqa: E402, F401  the core, as a board's boot imports it

print("us_import", time.ticks_diff(time.ticks_us(), T0))
gc.collect()
print("heap_import", gc.mem_alloc() - BASE)

from rig import Rig, point_zone, protocol  # noqa: E402
from storehal import StoreHAL, mounted  # noqa: E402

from firmware import board as boards  # noqa: E402
from firmware import compat  # noqa: E402
from firmware.axis import Move  # noqa: E402
from firmware.shot import STATE_NAMES  # noqa: E402
from firmware.shotplan import Planning  # noqa: E402

BOARD = sys.argv[1] if len(sys.argv) > 1 else "pico"
# Shot cycles of the 300-point protocol: enough for zone changes and a refill. On the
# emulated RP2040 (bench/rp2.py) fewer: a poll takes a millisecond there, and the emulator
# runs the chip at a tenth of real time.
CYCLES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
ON_CHIP = sys.platform == "rp2"
# The rig's files (journal, progress) go to the boards' file store, on the port's own file
# system (the unix one, or the Pico's flash: littlefs2); on the unix port a second run below
# puts them on littlefs2, as on a Pico.
if "tmp" not in os.listdir("/"):
    os.mkdir("/tmp")
FOLDER = "/tmp/mesogun-chip-%d" % (time.ticks_us() & 0xFFFFFF)


def zones300():
    # 300 points: 30 zones of 10, alternating depth (a depth move re-planned at each change).
    return [point_zone(name="z%d" % i, points=10, dose_ul=20, pace_ms=1800,
                       depth_mm=1.0 if i % 2 else 1.5) for i in range(30)]


gc.collect()
before = gc.mem_alloc()
board = boards.by_name(BOARD)
rig = Rig(protocol(zones300(), syringe_ml=1), board=board, hal=StoreHAL(board, FOLDER))
gc.collect()
print("heap_loaded", gc.mem_alloc() - BASE)
print("heap_rig_and_protocol", gc.mem_alloc() - before)
rig.arm()
rig.run_for(20000)


def allocated(fn):
    """Bytes fn allocates (the collector off; the heap is big enough to hold them)."""
    gc.collect()
    gc.disable()
    a0 = gc.mem_alloc()
    fn()
    a1 = gc.mem_alloc()
    gc.enable()
    return a1 - a0


def cycle():
    rig.pull()
    st = rig.state()
    if st == "refill":
        return
    rig.run_until("armed")


def refill():
    rig.app.refilled()
    rig.run_for(1000)


def shot_in_zone():
    cycle()


# Shot cycles inside a zone, a zone change (the 10th shot moves on), a refill.
# Each prepare() of the cycles below timed as the shot machine makes it, after a shot:
# worst µs of the next shot of a zone and of a zone's first (its depth move planned anew),
# their sums and counts. The method is wrapped on its class for the cycles (the machine
# calls self.prepare()).
PREP = [0, 0, 0, 0, 0, 0]  # worst next, worst zone change, sums, counts
PREPARE = Planning.prepare


def timed_prepare(self):
    d0 = self.depth_move.steps
    t0 = time.ticks_us()
    PREPARE(self)
    t = time.ticks_diff(time.ticks_us(), t0)
    k = 1 if self.depth_move.steps != d0 else 0
    PREP[k] = max(PREP[k], t)
    PREP[2 + k] += t
    PREP[4 + k] += 1


Planning.prepare = timed_prepare
worst_cycle = 0
zone_bytes = 0
refill_bytes = -1
cycles = 0
for i in range(CYCLES):
    s = rig.app.session
    z0 = s.zone_i
    b = allocated(cycle)
    if rig.state() == "refill":
        refill_bytes = allocated(refill)
        continue
    if rig.app.session.zone_i != z0:
        zone_bytes = max(zone_bytes, b)
    else:
        worst_cycle = max(worst_cycle, b)
    cycles += 1
Planning.prepare = PREPARE
print("cycles", cycles)
print("us_prepare_zone", PREP[1])
print("us_prepare_next", PREP[0])
print("us_prepare_zone_mean", PREP[3] // max(PREP[5], 1))
print("us_prepare_next_mean", PREP[2] // max(PREP[4], 1))
print("bytes_shot_cycle", worst_cycle)
print("bytes_zone_change", zone_bytes)
print("bytes_refill", refill_bytes)



def worst_on(hal):
    """Worst bytes of a cycle, a zone change or a refill of a session with its files on hal."""
    zones = [point_zone(name="z%d" % i, points=3, dose_ul=200, pace_ms=4000,
                        depth_mm=1.0 + (i % 2) * 0.5) for i in range(4)]
    r = Rig(protocol(zones, syringe_ml=1), board=board, hal=hal)
    r.arm()
    r.pull()
    r.run_until("armed")
    worst = 0
    while r.state() != "done":
        def one():
            r.pull()
            if r.state() == "refill":
                r.app.refilled()
                r.run_for(1000)
                return
            r.run_until("pace")
            while r.state() != "armed" and r.state() != "done":
                r.step(1000)

        worst = max(worst, allocated(one))
    return worst


gc.collect()
t0 = time.ticks_us()
gc.collect()
print("us_gc_collect", time.ticks_diff(time.ticks_us(), t0))
# On the chip the session above already wrote its files to the flash's littlefs2: the same
# figures. Elsewhere a second session on a littlefs2 in RAM, as on a Pico.
if not ON_CHIP:
    print("bytes_cycle_littlefs", worst_on(StoreHAL(board, mounted("lfs2", "/chip-lfs") + "/data")))

m = rig.app.machine
pl = rig.board.plunger
car = rig.board.carriage
N = 20


def timed(fn):
    t0 = time.ticks_us()
    for _ in range(N):
        fn()
    return time.ticks_diff(time.ticks_us(), t0) / N


DOSE_STEPS = m.dose_move.steps
DEPTH_STEPS = m.depth_move.steps
turn = [0]


def replan(mv, steps, axis):
    """A move of another length each time (the Move keeps a repeated one as it is), at the
    axis's top speed (the longest ramp, mirrored for the decel) on the axis's own Profile:
    its ramp from rest is kept from the moves before."""
    turn[0] ^= 1
    compat.lock()  # as prepare() plans
    try:
        mv.plan(steps + turn[0], axis.max_speed_sps, axis.accel_sps2, m.clock_hz, m.tol)
    finally:
        compat.unlock()


def plan_dose():
    replan(m.dose_move, DOSE_STEPS, pl)


def plan_depth():
    replan(m.depth_move, DEPTH_STEPS, car)


def first(steps, axis):
    """The axis's first plan: a fresh Move, whose ramp from rest is fitted anew."""
    mv = Move(m.dose_move.capacity)
    t0 = time.ticks_us()
    mv.plan(steps, axis.max_speed_sps, axis.accel_sps2, m.clock_hz, m.tol)
    return time.ticks_diff(time.ticks_us(), t0)


def repeat_dose():
    m.dose_move.plan(m.dose_move.steps, pl.max_speed_sps, pl.accel_sps2, m.clock_hz, m.tol)


print("dose_steps", DOSE_STEPS)
print("depth_steps", DEPTH_STEPS)
print("us_first_dose", first(DOSE_STEPS, pl))
print("us_first_depth", first(DEPTH_STEPS, car))
print("us_plan_dose", timed(plan_dose))
print("us_plan_depth", timed(plan_depth))
print("us_repeat_dose", timed(repeat_dose))
print("bytes_plan_dose", allocated(plan_dose))


def poll():
    rig.app.poll(rig.hal.now)


class Calls:
    """The HAL calls one poll makes, kept to be timed alone: the rig's FakeHAL works out a
    moving axis's steps by walking its segments step by step, where a board's HAL reads a
    counter (rp2: a DMA channel's count), so its share is not the firmware's."""

    def __init__(self, hal):
        self.hal = hal
        self.made = []
        self.names = ("steps_done", "moving", "motor_position", "inputs", "pressure_kpa",
                      "feed_watchdog")

    def record(self):
        hal = self.hal
        self.made = []
        for name in self.names:
            setattr(hal, name, self._counted(getattr(hal, name)))
        poll()
        for name in self.names:
            delattr(hal, name)

    def _counted(self, fn):
        def counted(*args):
            self.made.append((fn, args))
            return fn(*args)
        return counted

    def us(self):
        return sum(timed(lambda f=f, a=a: f(*a)) for f, a in self.made)


def poll_figures(label):
    calls = Calls(rig.hal)
    calls.record()
    us = timed(poll)
    hal_us = calls.us()
    print("us_poll_" + label, us)
    print("us_poll_%s_hal" % label, hal_us)
    print("us_poll_%s_core" % label, us - hal_us)


print("state_idle", STATE_NAMES[m.state])
poll_figures("idle")
rig.touch(True)
rig.run_for(30000)
rig.trigger(True)
rig.run_until("dose")
poll_figures("dose")


class CounterAxis:
    """A board's axis where steps_done() reads the rp2 port's step counter: the TRANS_COUNT
    of a DMA channel, as firmware/ports/rp2/steps.py's StepChannel reads it (the channel is
    idle here: reading its register costs the same)."""

    def __init__(self, read, ch):
        self.read = read
        self.ch = (ch, ch, ch)
        self.running = True  # mid-move: moving() reads the counter
        self.total = 1 << 29

    def steps_done(self):
        return (1 << 28) - self.read(self.ch[2], 2)

    def moving(self):
        return self.running and self.steps_done() < self.total


if ON_CHIP:
    # The port's own input and counter code on the chip's GPIO, ADC and DMA registers: what a
    # poll's HAL calls cost on a Pico, in place of the rig's (firmware/ports/common.py).
    from firmware.ports import common
    from firmware.ports.rp2 import steps as rp2_steps
    from firmware.ports.rp2.hal import _pin_id

    io = common.PinIO(board.pins, _pin_id)
    ax = CounterAxis(rp2_steps._dma_reg, 11)
    print("us_port_inputs", timed(io.inputs))
    print("us_port_pressure", timed(io.pressure_kpa))
    print("us_port_steps_done", timed(ax.steps_done))
    print("us_port_moving", timed(ax.moving))

for name in os.listdir(FOLDER):
    os.remove(FOLDER + "/" + name)
os.rmdir(FOLDER)
