"""The firmware as the world's main loop sees it: the real core, run in this process.

The MicroPython child (sim/mpy.py) offers the same methods, so the loop, the operator and
the report do not know which interpreter runs the core.
"""

from firmware import motion
from firmware.app import App
from firmware.wire import faults
from firmware.wire import record as shotlog
from firmware.wire.modes import DOSING_NAMES as MODE_NAMES
from firmware.wire.states import STATE_NAMES


def dosing_mode(name):
    if name not in MODE_NAMES:
        raise ValueError("dosing %r: expected one of %s" % (name, ", ".join(MODE_NAMES)))
    return MODE_NAMES.index(name)


class InProcess:
    def __init__(self, hal, board, dosing="compensated", cal_ppm=1000000):
        self.app = App(hal, board)
        self.app.machine.configure(dosing_mode=dosing_mode(dosing), cal_ppm=cal_ppm)
        self.seen = 0
        self.poll = self.app.poll  # poll(now): the core's own, called once a poll

    def work(self):
        """The planner's work counters (firmware/motion.py), for the compute-time charge."""
        return motion.evals, motion.roots, motion.written

    def state(self):
        return STATE_NAMES[self.app.machine.state]

    def fault(self):
        return faults.name(self.app.machine.fault)

    def new_records(self):
        """Shot-log records written since the last call, decoded."""
        log = self.app.log
        if self.seen >= log.count:
            return ()
        out = []
        while self.seen < log.count:
            out.append(shotlog.decode(log.record(self.seen)))
            self.seen += 1
        return out

    def status(self):
        return self.app.status()

    def load_protocol(self, proto):
        return [p.message() for p in self.app.load_protocol(proto)]

    def command(self, name):
        """arm, ack_fault, abort, refilled: the operator's and host's buttons."""
        return getattr(self.app, name)()

    def close(self):
        pass
