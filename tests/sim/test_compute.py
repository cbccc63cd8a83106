"""The firmware's compute time charged on the simulated MCU: slow plans make late cues."""

import os
import tomllib

import simpy

from sim import params as sim_params
from sim.mcu import Clock, Compute, GcPauses
from sim.run import Run

DATA = os.path.join(os.path.dirname(__file__), "data")


def short():
    with open(os.path.join(DATA, "short.toml"), "rb") as f:
        return tomllib.load(f)


def session(scale):
    # Timing is the subject: naive dosing (the board's fixed hold), so that the shots fit
    # their paces and only the code's time can make a cue late (a compensated dose on a
    # compliant syringe holds on the pressure for as long as the line takes). The paces are
    # what naive shots need, as the gun checks them in that mode: little slack, so slow code
    # shows.
    proto = short()
    for z, pace_ms in zip(proto["zone"], (1600, 2600)):
        z["pace_ms"] = pace_ms
    run = Run(proto, seed=3, params={"compute_scale": scale}, dosing="naive")
    return run, run.run()


def first_of_zone(rep, zone):
    return next(s for s in rep["shots"] if s["zone"] == zone)


def test_a_slow_plan_makes_the_next_cue_and_shot_late_and_free_code_does_not():
    # The second zone's depth differs: its depth move is planned in the pace after the first
    # zone's last shot. With the axis's ramp kept that fits the pace on the modelled RP2040;
    # code thirty times slower than the model's does not.
    _, free = session(0.0)
    _, chip = session(1.0)
    _, slow = session(30.0)
    f, c, s = free["summary"], chip["summary"], slow["summary"]
    assert f["compute_s"] == 0 and f["cues_late"] == 0 and f["cue_late_ms_max"] < 10
    assert c["compute_s"] > 0.5 and c["cues_late"] == 0
    assert s["cues_late"] >= 1 and s["cue_late_ms_max"] > 300
    assert s["compute_s"] > 20 * c["compute_s"]
    for rep in (free, chip, slow):
        assert rep["summary"]["points_given"] == 12 and rep["faults"] == []
    # The operator waits for the cue, so the zone's first shot starts that much later.
    late_s = (s["cue_late_ms_max"] - f["cue_late_ms_max"]) / 1000.0
    shift = first_of_zone(slow, 1)["t_start_s"] - first_of_zone(free, 1)["t_start_s"]
    assert shift > 0.5 * late_s


def test_compute_time_counts_the_planner_work_of_the_poll():
    p = sim_params.check({})
    env = simpy.Environment()
    clock = Clock(env, type("B", (), {"step_clock_hz": 125000000, "tick_period": 2**30})(), p)
    c = Compute(clock, p)
    c.start((1000, 400, 70))
    idle = c.ticks((1000, 400, 70))
    planned = c.ticks((1100, 450, 70))  # 50 ramp roots and 50 cruise step times since
    assert idle > 0
    assert planned > idle + 50 * (planned - idle) // 100  # work costs more than a poll
    assert c.ticks((1100, 450, 70)) == idle  # counted once
    copied = c.ticks((1100, 450, 170))  # a plan from the kept ramp: 100 segments written
    assert idle < copied < planned
    assert c.total_ticks == 2 * idle + planned + copied
    # A poll with an axis running also reads the line and the step counts: it costs more.
    moving = c.ticks((1100, 450, 170), moving=True)
    assert moving > idle * 1.1
    assert c.ticks((1100, 450, 170)) == idle


def test_work_running_into_a_gc_pause_ends_that_much_later():
    p = sim_params.check({})
    env = simpy.Environment()
    clock = Clock(env, type("B", (), {"step_clock_hz": 125000000, "tick_period": 2**30})(), p)
    gc = GcPauses(clock, p, sim_params.Streams(1)("gc"))
    gc.free_at(clock.from_s(10.0))
    s0, e0 = gc.starts[0], gc.ends[0]
    before = s0 - 1000
    assert gc.busy_until(before, 500) == before + 500  # done before the pause
    assert gc.busy_until(before, 2000) == before + 2000 + (e0 - s0)  # stretched by it


def test_no_ramp_is_fitted_during_a_session():
    """Each axis's ramp is fitted at start-up (firmware/motion.py warm): on the modelled RP2040
    a fit holds the main loop for about a second, which must not fall between the first
    prime and the last shot. Every plan of the session reuses the ramp: no ramp root."""
    run = Run(short(), seed=3, params={"compute_scale": 1.0})  # compensated: primes, holds
    rep = run.run()
    c = run.world.compute
    assert rep["summary"]["points_given"] == 12 and rep["faults"] == []
    assert c.evals > c.start_work[0]  # the session planned moves
    assert c.roots == c.start_work[1], "ramp roots fitted in the session: %d" % (
        c.roots - c.start_work[1])
