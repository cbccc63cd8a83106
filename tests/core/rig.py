"""A test rig: the real App on the FakeHAL, with helpers to drive time and the operator."""

from fakehal import FakeHAL

from firmware import board as boards
from firmware import hal as H
from firmware import ticks
from firmware.app import App
from firmware.shot import STATE_NAMES


def protocol(zones=None, syringe_ml=3, needle_mm=4):
    if zones is None:
        zones = [point_zone()]
    return {
        "protocol": {
            "name": "test",
            "syringe_ml": syringe_ml,
            "needle_mm": needle_mm,
            "needle_gauge": 32,
            "viscosity_mpas": 1,  # water: the board's default flow passes the needle
        },
        "zone": zones,
    }


def point_zone(name="forehead", points=3, depth_mm=1.0, dose_ul=20, pace_ms=800):
    return {"name": name, "mode": "point", "points": points, "depth_mm": depth_mm,
            "dose_ul": dose_ul, "pace_ms": pace_ms}


def burst_zone(name="cheeks", points=5, depth_mm=1.0, dose_ul=10, rate_per_min=100):
    return {"name": name, "mode": "burst", "points": points, "depth_mm": depth_mm,
            "dose_ul": dose_ul, "rate_per_min": rate_per_min}


def pass_zone(name="line", points=2, depth_mm=1.0, flow_ul_s=4, duration_s=1):
    return {"name": name, "mode": "continuous", "points": points, "depth_mm": depth_mm,
            "dose_ul": 10, "flow_ul_s": flow_ul_s, "duration_s": duration_s}


def held_line(proto, start_us=0, q_w_nl_s=0, air_us_per_kpa=0):
    """A rig armed on a line held on its pressure, the skin touched and its contact settled:
    the reading stands at 120 kPa, so priming's push stops at once and its settle times out
    (C alone, no needle's flow). q_w_nl_s and air_us_per_kpa, if given: what priming's fall
    in air would have timed, the next shot planned again on them."""
    rig = Rig(proto, start_us=start_us)
    rig.hal.kpa = 120
    rig.arm()
    rig.run_until("armed", limit_us=10000000)
    ref = rig.app.machine.dosing.ref
    assert ref.ok
    if q_w_nl_s > 0:
        ref.q_w_nl_s = q_w_nl_s
        ref.air_us_per_kpa = air_us_per_kpa
        rig.app.machine.planned = False
    rig.touch(True)
    rig.run_for(40000)
    return rig


class Rig:
    def __init__(self, proto=None, start_us=0, board="sim", period=1 << 30, hal=None):
        """hal: a FakeHAL (or one built on it) made for board, instead of a new one."""
        self.board = boards.by_name(board) if isinstance(board, str) else board
        self.hal = FakeHAL(self.board, start_us, period) if hal is None else hal
        self.hal.set_input(H.IN_CARRIAGE_HOME, True)
        self.app = App(self.hal, self.board)
        self.deadline = self.hal.now
        self.stuck_home = None  # True or False to jam the carriage home switch
        if proto is not None:
            problems = self.app.load_protocol(proto)
            assert problems == [], [p.message() for p in problems]

    def state(self):
        return STATE_NAMES[self.app.machine.state]

    def poll(self):
        self.deadline = self.app.poll(self.hal.now)
        # The home switch follows the carriage: active only at home (unless stuck).
        home = self.hal.motor_position(H.AXIS_CARRIAGE) <= 0
        self.hal.set_input(H.IN_CARRIAGE_HOME, home if self.stuck_home is None else self.stuck_home)

    def step(self, max_us=1000):
        """Advance to the next deadline (at most max_us) and poll."""
        wait = ticks.diff(self.deadline, self.hal.now, self.hal.tick_mask)
        wait = min(wait, max_us)
        wait = max(wait, 1)
        self.hal.advance(wait)
        self.poll()

    def run_until(self, state, limit_us=20000000, max_us=1000):
        waited = 0
        self.poll()
        while self.state() != state:
            before = self.hal.now
            self.step(max_us)
            waited += ticks.diff(self.hal.now, before, self.hal.tick_mask)
            assert waited < limit_us, "stuck in %s waiting for %s" % (self.state(), state)
        return waited

    def run_for(self, us, max_us=1000):
        end = ticks.add(self.hal.now, us, self.hal.tick_mask)
        self.poll()
        while ticks.diff(end, self.hal.now, self.hal.tick_mask) > 0:
            self.step(max_us)

    def touch(self, on=True):
        self.hal.set_input(H.IN_CONTACT, on)

    def trigger(self, on=True):
        self.hal.set_input(H.IN_TRIGGER, on)

    def pull(self):
        """One trigger pull held long enough to be believed, with skin contact."""
        self.touch(True)
        self.run_for(30000)
        self.trigger(True)
        self.run_for(30000)
        self.trigger(False)

    def arm(self):
        assert self.app.arm()
        self.run_until("armed")
