"""A virtual gun on the simulator's world, serving a host: the real App and Link on SimHAL.

The world (plant, carriage, step executors, GC pauses, main loop, operator) is sim/world.py's;
this adds what a device on a cable has: a byte stream to the host, files that survive a
power cycle (a folder), the gun's settings and clinical lock (firmware/gun.py, as a flashed
gun boots them), a practitioner who follows the gun without ending the session, and a
balance under the needle for gravimetric calibration (sim/scale.py).
The syringe, needle and fluid in the gun are fixed when it starts (FITTED), as a real gun's
are; a protocol for another syringe still runs, on the fitted one's physics.
"""

import os

from firmware.board import by_name
from firmware.gun import Gun
from firmware.wire.states import ADVANCE, ARMED, FAULT, PACE, REFILL
from sim import faults as sim_faults
from sim.firmware import InProcess
from sim.operator import operator
from sim.scale import Balance
from sim.simhal import SimHAL
from sim.world import World

FITTED = {"name": "fitted", "syringe_ml": 3, "needle_mm": 4, "needle_gauge": 32,
          "viscosity_mpas": 20}


class ServedHAL(SimHAL):
    """SimHAL with a host on the byte stream and its files in a folder."""

    def __init__(self, world, state_dir):
        super().__init__(world)
        self.state_dir = state_dir
        self.rx = bytearray()

    def _path(self, name):
        return os.path.join(self.state_dir, name)

    def read_file(self, name):
        try:
            with open(self._path(name), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def write_file_atomic(self, name, data):
        tmp = self._path(name + ".tmp")
        # No fsync: the served gun's "power cut" ends its process, and the page cache keeps
        # what was written; os.replace is atomic. A sync per write would slow the served
        # device (the session progress is written a few times a shot) for nothing.
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, self._path(name))

    def append_file(self, name, data):
        with open(self._path(name), "ab") as f:
            f.write(data)

    def open_file(self, name):
        if not os.path.exists(self._path(name)):
            with open(self._path(name), "wb"):
                pass

    def write_at(self, name, at, buf, start, n):
        self.open_file(name)
        with open(self._path(name), "r+b") as f:
            if at < 0:
                f.seek(0, 2)
            else:
                f.seek(at)
            f.write(bytes(buf[start:start + n]))

    def remove_file(self, name):
        for path in (self._path(name), self._path(name + ".tmp")):
            if os.path.exists(path):
                os.remove(path)

    def read_bytes(self, buf):
        n = min(len(buf), len(self.rx))
        buf[:n] = self.rx[:n]
        del self.rx[:n]
        return n


# A served gun doses onto the bench's balance (no tissue). Its MCU is charged the firmware's
# compute time as in `meso sim run` (sim/mcu.py): the world's clock is the simulated one, in
# which this machine's own time running the firmware does not pass.
BENCH = {"tissue_id_kpa": 0.0, "tissue_sc_kpa": 0.0}


class WorldDevice:
    """The served device. advance(sim_s) runs the world up to sim_s seconds after power-up."""

    def __init__(self, state_dir, seed=0, device_id="sim-0001", head=None, fault_specs=()):
        os.makedirs(state_dir, exist_ok=True)
        board = by_name("sim")
        # The needle dispenses onto the balance, not into skin: no tissue back-pressure.
        self.world = w = World(board, head or FITTED, seed, BENCH)
        w.hal = self.hal = ServedHAL(w, state_dir)
        self.fw = InProcess(self.hal, board, "compensated", w.cal_ppm)
        self.fw.after_poll = self.after_poll
        self.fw.crashed = self.crashed
        self.app = self.fw.app
        # Uncalibrated until `meso calibrate` stores a correction in the state folder.
        self.gun = Gun(self.hal, self.app, board, device_id, os.urandom,
                       lambda: int(w.env.now * 1000 // w.clock.hz))
        self.link = self.gun.link
        self.balance = Balance(w)
        self.refills = 0
        refilled = self.app.refilled

        def fitted_then_refilled():
            # The host says a full syringe is on the gun (REFILLED): the practitioner fitted
            # one before saying so.
            if self.app.machine.state == REFILL:
                w.new_syringe()
                self.refills += 1
            return refilled()

        self.app.refilled = fitted_then_refilled
        ack = self.app.ack_fault

        def cleared_then_acked(now=None):
            # The practitioner fixes what went wrong (a fresh needle) before acknowledging.
            if self.app.machine.state == FAULT:
                sim_faults.clear(w)
            return ack(now)

        self.app.ack_fault = cleared_then_acked
        self.injections = []
        self.weighing = None  # (protocol, zone index, zone name) the balance reading is of
        self.crash = None
        self.link.start()
        w.start(self.fw)
        w.env.process(operator(w.env, w, self))
        for spec in fault_specs:
            w.env.process(sim_faults.inject(w.env, w, self, sim_faults.parse(spec)))

    # -- what the operator asks of the session it works in ---------------------
    @property
    def proto(self):
        return self.link.proto or {"protocol": {}, "zone": []}

    def finished(self):
        return self.crash is not None

    def fault_latched(self):
        return self.app.machine.state == FAULT

    def waiting_for_cue(self):
        return self.app.machine.state != ARMED

    def zone(self):
        return self.app.session.zone_i

    def operator_ack(self):
        """A latched fault on a served gun is acknowledged by the host (ACK_FAULT), not by
        the simulated practitioner: the host decides whether the session goes on."""

    def injected(self, kind, t, spec):
        self.injections.append({"time_s": round(t, 6), "kind": kind, "spec": spec})

    def power_loss(self):
        """A served gun loses power when its process is killed; restarted on the same
        --state folder it boots with its files as they were."""
        raise ValueError("power_loss is not injected into a served gun: kill the process")

    def after_poll(self, world):
        pass

    def crashed(self, world, exc):
        self.crash = exc

    def zone_weighed(self):
        """'zone NAME: X mg' once a zone has ended and the gun stands still (None meanwhile):
        what left the needle during that zone, as if the container were tared at its start."""
        s = self.app.session
        if not s.loaded or ADVANCE <= self.app.machine.state <= PACE:
            return None
        now = (self.link.proto, s.zone_i)
        if self.weighing is None or self.weighing[:2] != now:
            if self.weighing is not None and self.weighing[0] is now[0]:
                line = "zone %s: %.1f mg" % (self.weighing[2], self.balance.read_mg())
            else:
                line = None  # a new protocol: nothing of it weighed yet
            self.balance.tare()
            name = s.zones[s.zone_i].name if s.zone_i < len(s.zones) else ""
            self.weighing = now + (name,)
            return line
        return None

    # -- the device's time ---------------------------------------------------------
    def advance(self, sim_s):
        """Run the world to sim_s; return the simulated seconds to its next event."""
        w = self.world
        target = w.clock.from_s(sim_s)
        if target > w.env.now:
            w.env.run(until=target)
        nxt = w.env.peek()
        return (nxt - w.env.now) / w.clock.hz

    def host_spoke(self):
        """Link commands change what the loop waits for: wake it, as an interrupt would."""
        self.world.poke()
