"""One simulated session: build the world, load the protocol into the firmware, let the
operator work through it, and collect what happened for the report.

The run watches the firmware only the way a bench would: its state after each poll (for
faults and the operator's cues) and its shot log. Delivered volume and true depth come from
the plant, never from the firmware's own estimate.
"""

import time

from firmware.board import by_name
from sim import faults as sim_faults
from sim import power
from sim.firmware import InProcess
from sim.operator import operator
from sim.report import build as build_report
from sim.world import World

SETTLE_S = 3.0  # after the last shot, let the plant settle before closing the books


class RunError(ValueError):
    """A protocol the firmware refused, or options that cannot run."""


class Run:
    def __init__(self, proto, seed=0, exact=False, params=None, fault_specs=(),
                 firmware="cpython", dosing="compensated", board="sim", sample_s=None,
                 store=False):
        self.board = by_name(board)
        self.proto = proto
        self.seed = seed
        self.exact = exact
        self.dosing = dosing
        self.world = World(self.board, proto["protocol"], seed, params, exact)
        self.faults = [sim_faults.parse(s) if isinstance(s, str) else s for s in fault_specs]
        self.store = store
        self.continued = []  # "zone Z point P of N" of each interrupted session continued
        self.powered_at_s = 0.0
        self.restarts = [f for f in self.faults
                         if f["kind"] == "power_loss" and f["duration_s"] > 0]
        if firmware == "micropython":
            if store or self.restarts:
                raise RunError("--store and power_loss with a duration run on --firmware cpython")
            from sim.mpy import Child

            self.fw = Child(self.world.hal, board, dosing, self.world.cal_ppm)
        else:
            # The firmware behind the supply: a power cut with a duration powers up a new one.
            self.fw = power.Powered(self._new_fw(), self.world.hal.tick_period)
        self.fw.after_poll = self.after_poll
        self.world.depth_hint = self._zone_depth_mm
        self.fw.crashed = self.crashed
        self.points = sum(z["points"] for z in proto["zone"])
        self.records = []
        self.fault_events = []
        self.injections = []
        self.refills = 0
        self.refill_after = []
        self.last_state = "idle"
        self.cue_late_s = []  # each pacing cue's delay past the end of its pace
        self.done = False
        self.ended_by = None
        self.power_cut = None
        self.finish_event = self.world.env.event()
        self.sample_s = sample_s
        self.samples = []  # (t_s, out_ul, in_skin_ul) every sample_s, for flow benchmarks

    def _new_fw(self):
        return InProcess(self.world.hal, self.board, self.dosing, self.world.cal_ppm)

    def _zone_depth_mm(self):
        """Depth of the zone being given (the tissue layer the tip is in)."""
        i = self.zone()  # -1 while the gun has no power
        zones = self.proto["zone"]
        return zones[i].get("depth_mm", 0.0) if 0 <= i < len(zones) else 0.0

    # -- what the operator and the faults ask -------------------------------------
    def finished(self):
        return self.done

    def fault_latched(self):
        return self.last_state == "fault"

    def needs_syringe(self):
        return self.last_state == "refill"

    def operator_refill(self):
        self.world.new_syringe()
        self.refills += 1
        self.refill_after.append(len(self.records))  # shots logged before the new syringe
        self.fw.command("refilled")
        self._follow_state()
        self.world.poke()

    def waiting_for_cue(self):
        return self.last_state not in ("armed",)

    def powered(self):
        """The gun has power (a cut without a duration leaves it off for good)."""
        return getattr(self.fw, "on", self.power_cut is None)

    def zone(self):
        return self.fw.status()["zone"] if self.powered() else -1

    def operator_ack(self):
        last = self.fault_events[-1] if self.fault_events else None
        if last and last["code"] == "syringe_empty":
            self._end("syringe empty: the operator stops the session")
            return
        sim_faults.clear(self.world)
        self.fw.command("ack_fault")
        self._follow_state()
        self.world.poke()

    def injected(self, kind, t, spec):
        self.injections.append({"time_s": round(t, 6), "kind": kind, "spec": spec})

    def power_loss(self, duration_s=0.0):
        """The supply fails; with a duration it comes back (sim/power.py), else it stays off."""
        w = self.world
        w.sync()
        self.power_cut = {
            "time_s": w.clock.s(),
            "needle_depth_mm": w.carriage.depth_um() / 1000.0,
            "pressure_kpa": w.plunger.pressure_kpa(),
            "off_s": duration_s,
        }
        w.plunger_exec.stop()
        w.carriage_exec.stop()
        if isinstance(self.fw, power.Powered):
            self.fw.on = False
        if duration_s > 0 and isinstance(self.fw, power.Powered):
            self.power_cut["journal_records"] = self._journal_after_cut()
            w.env.process(power.restore(w.env, self, {"duration_s": duration_s}, self._new_fw))
            return
        self._end("power lost")

    def _end(self, why):
        if not self.done:
            self.done = True
            self.ended_by = why
            self.finish_event.succeed()

    # -- after every poll ----------------------------------------------------------
    def _follow_state(self):
        """The gun's state now, through _transition() if it changed (a command may start
        priming at once: a refill's, an acknowledged fault's)."""
        st = self.fw.state()
        if st != self.last_state:
            self._transition(self.last_state, st)
            self.last_state = st
        return st

    def after_poll(self, world):
        fw = self.fw
        if not getattr(fw, "on", self.power_cut is None):  # self.powered()
            return
        st = self._follow_state()
        for rec in fw.new_records():
            rec["t_log_s"] = world.clock.s()
            # Each power-up's core counts its ms from when it was powered.
            rec["t_offset_s"] = self.powered_at_s
            if rec["delivered_nl"] == -1 and self.power_cut is not None:
                rec["cut_s"] = self.power_cut["time_s"]  # the shot the power cut short
            rec["in_skin_ul"] = world.in_skin_ul()
            rec["depth_live_um"] = world.carriage.max_depth_um
            self.records.append(rec)
        if st == "done" and not self.done:
            self._end("session complete")

    def crashed(self, world, exc):
        """The firmware raised out of poll(): on a board the watchdog would reset it."""
        world.sync()
        world.plunger_exec.stop()
        world.carriage_exec.stop()
        self.fault_events.append({
            "time_s": world.clock.s(), "code": "firmware_error", "state": self.last_state,
            "needle_in": world.needle_in(), "pressure_kpa": world.plunger.pressure_kpa(),
            "error": "%s: %s" % (type(exc).__name__, exc),
        })
        self._end("firmware error: %s" % exc)

    def _cue(self, t):
        """A pace ended with a cue: how late it is after the last shot's start plus pace."""
        rec = self.records[-1] if self.records else None
        if rec is None or rec["mode"] > 1:  # point and burst zones pace their shots
            return
        zone = self.proto["zone"][rec["zone"]]
        pace_ms = 60000 // zone["rate_per_min"] if "rate_per_min" in zone else zone["pace_ms"]
        due = (rec["t_start_ms"] + pace_ms) / 1000.0 + rec.get("t_offset_s", 0.0)
        self.cue_late_s.append(t - due)

    def _transition(self, old, new):
        w = self.world
        t = w.clock.s()
        if old == "pace" and new == "armed":
            self._cue(t)
        if new == "prime" or old == "prime":
            w.priming(new == "prime")
        if new == "safing":
            w.sync()
            self.fault_events.append({
                "time_s": t, "code": self.fw.fault(), "state": old,
                "needle_in": w.needle_in(), "pressure_kpa": w.plunger.pressure_kpa(),
                "plunger_steps": w.plunger.steps, "carriage_um": w.carriage.pos_um,
            })
        elif new == "fault" and self.fault_events:
            ev = self.fault_events[-1]
            w.sync()
            ev["latched_s"] = t
            ev["backed_off_steps"] = ev["plunger_steps"] - w.plunger.steps
            ev["needle_out"] = not w.needle_in()
            ev["carriage_home"] = w.carriage.home()
            ev["alarm"] = bool(w.hal.out.get(3))
            ev["pressure_after_kpa"] = w.plunger.pressure_kpa()

    # -- running -----------------------------------------------------------------
    def run(self, limit_s=None):
        w = self.world
        env = w.env
        if self.store or self.restarts:
            problems = []
            if self.store:
                # Uploaded, verified and written, then run untethered from the next power-up.
                problems = power.store(self.fw.fw, w.hal, self.board, self.proto)
                if not problems:
                    self.fw.fw = self._new_fw()
                    self.fw.boots += 1
            else:
                problems = [p.message() for p in self.fw.fw.app.load_protocol(
                    self.proto, power.protocol_bytes(self.proto)[1], 1)]
        else:
            problems = self.fw.load_protocol(self.proto)
        if problems:
            raise RunError("the firmware refused the protocol: " + "; ".join(problems))
        wall0 = time.perf_counter()
        w.start(self.fw)
        if self.store:
            if not power.start(self.fw.fw, w.hal, self.board, self.proto, True):
                raise RunError("the stored protocol did not start at power-up")
        else:
            self.fw.command("arm")
        env.process(operator(env, w, self))
        for spec in self.faults:
            env.process(sim_faults.inject(env, w, self, spec))
        if self.sample_s:
            env.process(self._sampler())
        if limit_s is None:
            # Far beyond any session the gun finishes: each point may take twice its pace (a
            # line slower than the nominal one makes every cue late) and 10 s more.
            limit_s = 60.0 + sum(z["points"] * (10.0 + 2 * z.get("pace_ms", 0) / 1000.0
                                                + z.get("duration_s", 0)
                                                + z.get("bolus_every_s", 0))
                                 for z in self.proto["zone"])
            limit_s += sum(30.0 + f["duration_s"] for f in self.faults
                           if f["kind"] == "power_loss")
        env.run(until=self.finish_event | env.timeout(w.clock.from_s(limit_s)))
        if not self.done:
            self.ended_by = "time limit (%g s simulated)" % limit_s
        w.running = False
        sim_end = w.clock.s()
        if self.power_cut is None or self.powered():
            # Let what is still stored in the syringe come out, then close the books.
            env.run(until=env.now + w.clock.from_s(SETTLE_S))
            w.close_books()
        else:
            self.power_cut["journal_records"] = self._journal_after_cut()
        if self.power_cut is not None:
            self.power_cut["journal_records_at_end"] = self._journal_after_cut()
            self.power_cut["continued_at"] = list(self.continued)
        self.fw.close()
        return build_report(self, sim_end, time.perf_counter() - wall0)

    def _sampler(self):
        w = self.world
        step = w.clock.from_s(self.sample_s)
        while not self.done:
            w.sync()
            self.samples.append((w.clock.s(), w.plunger.out_ul, w.in_skin_ul()))
            yield w.env.timeout(step)

    def _journal_after_cut(self):
        """Records a freshly booted core would read back from the journal."""
        from firmware.wire import record as shotlog

        data = self.world.hal.read_file("shots.log") or b""
        return len(shotlog.read_journal(data))
