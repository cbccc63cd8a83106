"""One simulated session: build the world, load the protocol into the firmware, let the
operator work through it, and collect what happened for the report.

The run watches the firmware only the way a bench would: its state after each poll (for
faults and the operator's cues) and its shot log. Delivered volume and true depth come from
the plant, never from the firmware's own estimate.
"""

import time

from firmware.board import by_name
from sim import faults as sim_faults
from sim.firmware import InProcess
from sim.operator import operator
from sim.report import build as build_report
from sim.world import World

SETTLE_S = 3.0  # after the last shot, let the plant settle before closing the books


class RunError(ValueError):
    """A protocol the firmware refused, or options that cannot run."""


class Run:
    def __init__(self, proto, seed=0, exact=False, params=None, fault_specs=(),
                 firmware="cpython", dosing="compensated", board="sim", sample_s=None):
        self.board = by_name(board)
        self.proto = proto
        self.seed = seed
        self.exact = exact
        self.dosing = dosing
        self.world = World(self.board, proto["protocol"], seed, params, exact)
        self.faults = [sim_faults.parse(s) if isinstance(s, str) else s for s in fault_specs]
        if firmware == "micropython":
            from sim.mpy import Child

            self.fw = Child(self.world.hal, board, dosing, self.world.cal_ppm)
        else:
            self.fw = InProcess(self.world.hal, self.board, dosing, self.world.cal_ppm)
        self.fw.after_poll = self.after_poll
        self.world.depth_hint = self._zone_depth_mm
        self.fw.crashed = self.crashed
        self.points = sum(z["points"] for z in proto["zone"])
        self.records = []
        self.fault_events = []
        self.injections = []
        self.refills = 0
        self.last_state = "idle"
        self.done = False
        self.ended_by = None
        self.power_cut = None
        self.finish_event = self.world.env.event()
        self.sample_s = sample_s
        self.samples = []  # (t_s, out_ul, in_skin_ul) every sample_s, for flow benchmarks

    def _zone_depth_mm(self):
        """Depth of the zone being given (the tissue layer the tip is in)."""
        i = self.fw.status()["zone"]
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
        self.fw.command("refilled")
        self.last_state = self.fw.state()
        self.world.poke()

    def waiting_for_cue(self):
        return self.last_state not in ("armed",)

    def zone(self):
        return self.fw.status()["zone"] if self.power_cut is None else -1

    def operator_ack(self):
        last = self.fault_events[-1] if self.fault_events else None
        if last and last["code"] == "syringe_empty":
            self._end("syringe empty: the operator stops the session")
            return
        sim_faults.clear(self.world)
        self.fw.command("ack_fault")
        self.last_state = self.fw.state()
        self.world.poke()

    def injected(self, kind, t, spec):
        self.injections.append({"time_s": round(t, 6), "kind": kind, "spec": spec})

    def power_loss(self):
        w = self.world
        w.sync()
        self.power_cut = {
            "time_s": w.clock.s(),
            "needle_depth_mm": w.carriage.depth_um() / 1000.0,
            "pressure_kpa": w.plunger.pressure_kpa(),
        }
        w.plunger_exec.stop()
        w.carriage_exec.stop()
        self._end("power lost")

    def _end(self, why):
        if not self.done:
            self.done = True
            self.ended_by = why
            self.finish_event.succeed()

    # -- after every poll ----------------------------------------------------------
    def after_poll(self, world):
        st = self.fw.state()
        if st != self.last_state:
            self._transition(self.last_state, st)
            self.last_state = st
        for rec in self.fw.new_records():
            rec["t_log_s"] = world.clock.s()
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

    def _transition(self, old, new):
        w = self.world
        t = w.clock.s()
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
        problems = self.fw.load_protocol(self.proto)
        if problems:
            raise RunError("the firmware refused the protocol: " + "; ".join(problems))
        wall0 = time.perf_counter()
        w.start(self.fw)
        self.fw.command("arm")
        env.process(operator(env, w, self))
        for spec in self.faults:
            env.process(sim_faults.inject(env, w, self, spec))
        if self.sample_s:
            env.process(self._sampler())
        if limit_s is None:
            limit_s = 60.0 + sum(z["points"] * (10.0 + z.get("duration_s", 0)
                                                + z.get("bolus_every_s", 0))
                                 for z in self.proto["zone"])
        env.run(until=self.finish_event | env.timeout(w.clock.from_s(limit_s)))
        if not self.done:
            self.ended_by = "time limit (%g s simulated)" % limit_s
        w.running = False
        sim_end = w.clock.s()
        if self.power_cut is None:
            # Let what is still stored in the syringe come out, then close the books.
            env.run(until=env.now + w.clock.from_s(SETTLE_S))
            w.close_books()
        else:
            self.power_cut["journal_records"] = self._journal_after_cut()
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
        from firmware import shotlog

        data = self.world.hal.read_file("shots.log") or b""
        return len(shotlog.read_journal(data))
