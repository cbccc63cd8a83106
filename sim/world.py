"""The simulated device and its surroundings, wired together, with the firmware's main loop.

World builds the clock, GC pauses, plunger plant, carriage, step executors, sensors and the
HAL for one run; main_loop() is the MCU's cooperative loop, which polls the firmware at the
deadline it asked for (or when an input changes), late by a drawn latency and by any GC
pause, and busy for the time the firmware's own code takes (sim/mcu.py's Compute). The firmware is reached through a small adapter (sim/firmware.py): in-process or a
MicroPython child, the loop does not care.
"""

import simpy

from firmware.hal import AXIS_PLUNGER, NO_PRESSURE
from sim import params as sim_params
from sim.carriage import Carriage
from sim.mcu import Clock, Compute, GcPauses
from sim.plant import Plunger
from sim.simhal import SimHAL, input_bits
from sim.stepper import Executor


class OperatorState:
    def __init__(self):
        self.trigger = False
        self.contact = False


class PlungerSink:
    """Steps of the plunger executor into the plant."""

    def __init__(self, plant):
        self.plant = plant
        self.ramp = plant.ramp  # ramp(t0, t1, n, d), called once a segment: no wrapper

    def step(self, t, n, d):
        self.plant.motor_steps(t, n, d)


class CarriageSink:
    """Steps of the carriage: the plunger's pending steps go to the plant first, so the
    plant always advances in time order."""

    def __init__(self, world):
        self.world = world

    def step(self, t, n, d):
        self.world.plunger_exec.sync()
        self.world.carriage.step(t, n, d)

    def ramp(self, t0, t1, n, d):
        pe = self.world.plunger_exec
        if pe.seg is not None:  # (an idle executor has nothing to apply)
            pe.sync()
        self.world.carriage.ramp(t0, t1, n, d)


class World:
    def __init__(self, board, head, seed, overrides=None, exact=False):
        self.board = board
        self.head = head
        self.p = sim_params.check(overrides)
        self.streams = sim_params.Streams(seed)
        self.true = sim_params.draw_plant(self.p, head, board, self.streams)
        self.cal_ppm = sim_params.calibration_ppm(self.p, board, self.true, self.streams)
        self.env = simpy.Environment()
        self.clock = Clock(self.env, board, self.p)
        self.gc = GcPauses(self.clock, self.p, self.streams("gc"))
        self.compute = Compute(self.clock, self.p)
        pl = board.plunger
        self.true["air_ul"] = sim_params.draw_air_ul(self.p, self.streams)
        self.plunger = Plunger(self.true, pl.den * 1000.0 / pl.num)
        car = board.carriage
        self.carriage = Carriage(car.den * 1000.0 / car.num, self.true["carriage_lead_scale"],
                                 self._needle)
        self.plunger_exec = Executor(self.env, self.clock, self.gc, self.p, exact,
                                     PlungerSink(self.plunger), watched=False)
        self.carriage_exec = Executor(self.env, self.clock, self.gc, self.p, exact,
                                      CarriageSink(self))
        self.operator_state = OperatorState()
        self.stuck = {}
        self.hal = SimHAL(self)
        self.sleeping = False
        self.synced_at = -1
        self.loop_proc = None
        self.cue = self.env.event()
        self.needle_event = self.env.event()
        self.insertions = []  # dicts: t_in, t_out, out_in, delivered_ul, depth_um
        self.drip_ul = 0.0  # everything that left the needle outside the skin
        self.prime_drip_ul = 0.0  # of which before the first insertion
        self.primed_ul = 0.0  # of which pushed out by priming in air (the gun's PRIME state)
        self.prime_mark = None  # where the plunger's outflow stood when priming began
        self.depth_hint = None  # () -> depth in mm of the shot being given (the run's)
        self.in_skin_done_ul = 0.0  # delivered in the skin by insertions already ended
        self.out_mark = 0.0
        self.tissue = self.streams("tissue")
        self.running = True
        self.polls = 0
        self.fw = None
        self.has_sensor = bool(self.p["pressure_sensor"])

    # -- hardware seen by the HAL --------------------------------------------
    def axis(self, axis):
        return self.plunger_exec if axis == AXIS_PLUNGER else self.carriage_exec

    def sync(self):
        """Bring the plant to now (once per instant: nothing else moves it meanwhile)."""
        now = self.env.now
        if now == self.synced_at:
            return
        self.synced_at = now
        if self.plunger_exec.seg is not None:  # (an idle executor has nothing to apply)
            self.plunger_exec.sync()
        if self.carriage_exec.seg is not None:
            self.carriage_exec.sync()
        self.plunger.advance(now / self.clock.hz)

    def input_bits(self):
        if self.env.now != self.synced_at:
            self.sync()
        return input_bits(self)

    def pressure_kpa(self):
        if not self.has_sensor:
            return NO_PRESSURE
        if self.env.now != self.synced_at:
            self.sync()
        return int(self.plunger.pressure_kpa() + 0.5)

    def output_changed(self, which, on):
        if which == 0 and on:  # OUT_BUZZER: the pacing cue the operator follows
            ev, self.cue = self.cue, self.env.event()
            ev.succeed(self.env.now)

    # -- the needle in the skin ------------------------------------------------
    def _needle(self, t, inside):
        self.plunger_exec.sync()
        pl = self.plunger
        pl.advance(t)
        if inside:
            outside = pl.out_ul - self.out_mark
            self.drip_ul += outside
            if self.insertions:
                self.insertions[-1]["drip_ul"] += outside  # what the last shot left behind
            else:
                self.prime_drip_ul += outside
            depth = self.depth_hint() if self.depth_hint is not None else 0.0
            kpa = sim_params.draw_tissue_kpa(self.p, depth, self.tissue)
            pl.set_threshold(t, kpa, True)
            self.insertions.append({"t_in": t, "t_out": None, "out_in": pl.out_ul,
                                    "leak_in": pl.leak_ul, "delivered_ul": 0.0,
                                    "drip_ul": 0.0, "depth_um": 0.0, "tissue_kpa": kpa})
        else:
            pl.set_threshold(t, 0.0, False)
            ins = self.insertions[-1]
            ins["t_out"] = t
            leak = pl.leak_ul - ins["leak_in"]
            ins["delivered_ul"] = pl.out_ul - ins["out_in"] - leak
            ins["drip_ul"] += leak
            self.drip_ul += leak
            ins["depth_um"] = self.carriage.max_depth_um
            self.in_skin_done_ul += ins["delivered_ul"]
        self.out_mark = pl.out_ul
        ev, self.needle_event = self.needle_event, self.env.event()
        ev.succeed(inside)

    def priming(self, on):
        """The gun entered (on) or left its PRIME state, the needle out: what leaves the
        needle meanwhile is priming, counted outside the skin but not as the last shot's drip
        (a line primed again after a pass, a fault or a refill)."""
        self.sync()
        out = self.plunger.out_ul
        if on:
            self.prime_mark = out
            return
        if self.prime_mark is None:
            return
        primed = out - self.prime_mark
        self.prime_mark = None
        self.primed_ul += primed
        self.drip_ul += primed
        if not self.insertions:
            self.prime_drip_ul += primed
        self.out_mark += primed

    def close_books(self):
        """After the run: what left the needle outside since the last insertion."""
        self.sync()
        pl = self.plunger
        if self.carriage.inside:
            return
        outside = pl.out_ul - self.out_mark
        self.drip_ul += outside
        if self.insertions:
            self.insertions[-1]["drip_ul"] += outside
        else:
            self.prime_drip_ul += outside
        self.out_mark = pl.out_ul

    def in_skin_ul(self):
        """Everything delivered into the skin so far (leak back along the needle excluded)."""
        self.sync()
        total = self.in_skin_done_ul
        if self.carriage.inside:
            ins = self.insertions[-1]
            total += (self.plunger.out_ul - ins["out_in"]) - (self.plunger.leak_ul - ins["leak_in"])
        return total

    def new_syringe(self):
        """A fresh, primed syringe of the same lot: full, unloaded, pusher seated on it."""
        self.sync()
        pl = self.plunger
        pl.fill_ul = pl.swept_ul + self.true["fill_ul"]
        pl.v = 0.0
        pl.gap_um = 0.0
        pl.air_ul = sim_params.draw_air_ul(self.p, self.streams)

    def needle_in(self):
        return self.carriage.inside

    def poke(self):
        """An input changed: wake the main loop (a pin interrupt would)."""
        if self.sleeping:
            self.sleeping = False
            self.loop_proc.interrupt()

    def start(self, fw):
        self.loop_proc = self.env.process(self.main_loop(fw))

    # -- the MCU's main loop -----------------------------------------------------
    def main_loop(self, fw):
        env, clock, gc = self.env, self.clock, self.gc
        g = self.streams("loop")
        period = self.board.tick_period
        half = period // 2
        hz = clock.hz
        offset_us = clock.offset_us
        lat_us = self.p["loop_latency_us"]
        compute = self.compute if self.compute.scale > 0 else None
        if compute is not None:
            compute.start(fw.work())
        deadline = fw.poll(clock.ticks_us())
        lats = []
        timeout = env.timeout
        while self.running:
            # The poll's code takes time on the MCU, stretched by GC pauses: nothing is polled
            # before it is done, an input edge meanwhile included.
            now = env.now
            if compute is not None:
                # A poll with an axis running also reads the line and the step counts.
                moving = self.plunger_exec.seg is not None or self.carriage_exec.seg is not None
                busy = gc.busy_until(now, compute.ticks(fw.work(), moving))
            else:
                busy = now
            # Served late by the loop's own latency, and not at all during a GC pause.
            if not lats:
                lats = [clock.from_us(int(x)) for x in g.exponential(lat_us, 4096)][::-1]
            lat = lats.pop()
            # (clock.ticks_us() and clock.from_us(), inline: this runs once per poll)
            wait_us = (deadline - (offset_us + now * 1000000 // hz) % period + half) % period - half
            due = now + (-(-wait_us * hz // 1000000) if wait_us > 0 else 0)
            t = gc.free_at(max(busy, due) + lat)
            if t > now:
                self.sleeping = True
                woken = False
                while t > env.now:
                    try:
                        yield timeout(t - env.now)
                    except simpy.Interrupt:  # an input edge wakes the loop early
                        if not woken:
                            woken = True
                            at = max(busy, env.now)
                            t = gc.free_at(at + lat)
                self.sleeping = False
            if not self.running:
                return
            try:
                deadline = fw.poll((offset_us + env.now * 1000000 // hz) % period)
            except Exception as e:  # noqa: BLE001 - the core crashed: a board would reset
                self.running = False
                fw.crashed(self, e)
                return
            self.polls += 1
            fw.after_poll(self)
