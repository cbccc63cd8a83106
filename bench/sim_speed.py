"""Simulator speed on the facial session: real-time factor (fast mode), steps per wall
second (exact mode), and where the wall time goes.

    python -m bench.sim_speed [--seed N] [--shots N]

The firmware core asks to be polled every millisecond while an axis moves or the needle is
in; those polls are real work for the core and bound the real-time factor. The last line
shows what the kernel manages when the core asks less often (a what-if, not the firmware).
"""

import argparse
import time

import simpy

from bench.facial import face
from firmware import shot
from sim.mcu import Clock, GcPauses
from sim.params import Streams, check
from sim.plant import Plunger
from sim.run import Run
from sim.stepper import Executor
from sim.world import PlungerSink


def timed_run(proto, seed, exact):
    run = Run(proto, seed=seed, exact=exact)
    fw_time = [0.0]
    poll = run.fw.poll

    def timed(now):
        t = time.perf_counter()
        try:
            return poll(now)
        finally:
            fw_time[0] += time.perf_counter() - t

    run.fw.poll = timed
    rep = run.run()
    return rep["summary"], fw_time[0]


def executor_only(n_steps=1000000):
    """Exact-mode steps through the plant with no firmware: the executor's own speed."""
    from firmware import board as boards

    b = boards.by_name("sim")
    p = check({})
    env = simpy.Environment()
    clock = Clock(env, b, p)
    gc = GcPauses(clock, p, Streams(1)("gc"))
    true = {"area_mm2": 58.9, "compliance_ul_kpa": 0.47, "resistance_kpa_s_ul": 20.0,
            "stiction_kpa": 51.0, "stall_kpa": 1e9, "backlash_um": 10.0, "lead_scale": 1.0,
            "fill_ul": 1e9}
    ex = Executor(env, clock, gc, p, True, PlungerSink(Plunger(true, 0.3125)))
    segs = [clock.hz // 20000, n_steps, 0]
    ex.move(1, segs, 1)
    t = time.perf_counter()
    env.run()
    return n_steps / (time.perf_counter() - t)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--shots", type=int, default=0, help="cut the session to N shots")
    args = ap.parse_args(argv)
    proto = face()
    if args.shots:
        left = args.shots
        for z in proto["zone"]:
            z["points"] = max(0, min(z["points"], left))
            left -= z["points"]
        proto["zone"] = [z for z in proto["zone"] if z["points"] > 0]
    shots = sum(z["points"] for z in proto["zone"])
    print("facial session, %d shots, seed %d (bench/facial.py)" % (shots, args.seed))
    s, fw = timed_run(proto, args.seed, False)
    print("fast mode   %7.1f s simulated in %6.2f s wall: %5.0fx real time; %d polls "
          "(%.0f per simulated s), %.0f %% of the wall time inside the firmware's poll()"
          % (s["sim_seconds"], s["wall_seconds"], s["sim_seconds"] / s["wall_seconds"],
             s["polls"], s["polls"] / s["sim_seconds"], 100 * fw / s["wall_seconds"]))
    s, fw = timed_run(proto, args.seed, True)
    print("exact mode  %d steps in %.2f s wall: %.0f steps per wall second (session), "
          "late steps %d, max step error %.3f µs"
          % (s["steps"], s["wall_seconds"], s["steps"] / s["wall_seconds"], s["late_steps"],
             s["max_step_error_us"]))
    print("exact mode  %.0f steps per wall second through the plant, executor alone"
          % executor_only())
    saved = shot.MONITOR_US
    shot.MONITOR_US = 20000
    try:
        s, fw = timed_run(proto, args.seed, False)
    finally:
        shot.MONITOR_US = saved
    print("what-if     core polled every 20 ms while moving: %.0fx real time (%d polls)"
          % (s["sim_seconds"] / s["wall_seconds"], s["polls"]))


if __name__ == "__main__":
    main()
