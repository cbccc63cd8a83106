"""The practitioner: places the gun on each point, follows the pacing cue, pulls the trigger.

Human timing varies: move, reaction and lift times are log-normal around their medians,
each from its own stream. The operator keeps contact while the needle is in, lifts after it
is out (through a burst zone it holds the trigger until the zone is done), and after a
latched fault waits, clears what a person would clear (a new needle for an occlusion) and
acknowledges; when the gun asks for a refill, fits a new syringe. A fault scenario may make
the operator slip.
"""

import math

from firmware.hal import AXIS_PLUNGER

NOTICE_FAULT_S = 2.0  # a person notices the alarm and acknowledges after this
RETRY_S = 1.0  # a press the gun did not take is tried again after this
PASS_LISTEN_S = 0.05  # how soon a practitioner drawing a pass hears the drive stop
PASS_OVER_S = 4.0  # and gives up on a pass that runs this long past its duration


def lognormal(g, median, sigma):
    return float(median * math.exp(g.normal(0.0, sigma)))


def burst_zone(run, zone_i):
    zones = run.proto["zone"]
    return 0 <= zone_i < len(zones) and zones[zone_i]["mode"] == "burst"


def burst_over(run, zone_i, refill):
    """A burst zone's trigger is let go when its points are given, or the gun stops."""
    return (run.finished() or run.fault_latched() or run.zone() != zone_i
            or (refill is not None and refill()))


def pass_s(run, zone_i):
    """A continuous zone's pass duration, else None."""
    zones = run.proto["zone"]
    if 0 <= zone_i < len(zones) and zones[zone_i]["mode"] == "continuous":
        return zones[zone_i]["duration_s"]
    return None


def hold_pass(env, world, went_in, duration_s, g_react, p):
    """A continuous pass lasts as long as the trigger is held: the practitioner draws the
    needle along the line for the pass's duration from the needle going in, keeps the
    trigger while the drive is still heard to run (a line pressing back more flows for
    longer), and lets go a reaction after it stops, or PASS_OVER_S past the duration."""
    clock = world.clock
    yield went_in | env.timeout(clock.from_s(RETRY_S))
    yield env.timeout(clock.from_s(duration_s))
    end_s = clock.s() + PASS_OVER_S
    drive = world.axis(AXIS_PLUNGER)
    while drive.moving() and clock.s() < end_s:
        yield env.timeout(clock.from_s(PASS_LISTEN_S))
    yield env.timeout(clock.from_s(lognormal(g_react, p["reaction_s"], p["reaction_sigma"])))


def operator(env, world, run):
    """The operator's process in the session run: it asks run for finished(),
    fault_latched(), waiting_for_cue(), zone() and proto, calls operator_ack(), and, when
    run has them, needs_syringe() and operator_refill() (sim/run.py; sim/link_world.py)."""
    refill = getattr(run, "needs_syringe", None)
    p = world.p
    clock = world.clock
    op = world.operator_state
    g_move = world.streams("operator.move")
    g_react = world.streams("operator.reaction")
    g_skin = world.streams("skin")
    last_zone = 0
    yield env.timeout(clock.from_s(0.5))
    cue_seen = world.cue
    while not run.finished():
        if run.fault_latched():
            yield env.timeout(clock.from_s(NOTICE_FAULT_S))
            run.operator_ack()
            continue
        if refill is not None and refill():
            # The gun asks for a fresh syringe: take the old one out, fit and prime a new one.
            yield env.timeout(clock.from_s(p["syringe_change_s"]))
            run.operator_refill()
            continue
        zone = run.zone()
        move = lognormal(g_move, p["move_s"], p["move_sigma"])
        if zone != last_zone:
            move += p["zone_move_s"]
            last_zone = zone
        yield env.timeout(clock.from_s(move))
        # Nose on the skin: the skin gives a little under it.
        comp_mm = max(0.0, g_skin.normal(p["skin_compression_mm"], p["skin_compression_sd_mm"]))
        world.carriage.set_compression(clock.s(), comp_mm * 1000.0)
        op.contact = True
        world.poke()
        # Wait for the cue, unless it already sounded while moving.
        if not cue_seen.triggered and run.waiting_for_cue():
            yield cue_seen | env.timeout(clock.from_s(RETRY_S * 2))
        cue_seen = world.cue
        yield env.timeout(clock.from_s(lognormal(g_react, p["reaction_s"], p["reaction_sigma"])))
        if run.finished():
            break
        op.trigger = True
        world.poke()
        went_in = world.needle_event
        duration_s = pass_s(run, zone)
        if duration_s is None:
            yield env.timeout(clock.from_s(p["trigger_hold_s"]))
        else:
            yield from hold_pass(env, world, went_in, duration_s, g_react, p)
        if burst_zone(run, zone):
            # Burst: the practitioner holds the trigger, gliding over the zone, while the gun
            # fires at its rate, and lets go when the zone is done.
            gap = clock.from_s(60.0 / run.proto["zone"][zone]["rate_per_min"] + RETRY_S)
            while not burst_over(run, zone, refill):
                ev = world.needle_event
                yield ev | env.timeout(gap)
                if not ev.triggered and not world.needle_in():
                    break  # no shot for longer than the rate allows: let go, press again
        op.trigger = False
        world.poke()
        if not went_in.triggered:
            yield went_in | env.timeout(clock.from_s(RETRY_S))
        if world.needle_in():
            out = world.needle_event
            yield out | env.timeout(clock.from_s(3600.0))
        yield env.timeout(clock.from_s(lognormal(g_react, p["lift_s"], p["reaction_sigma"])))
        op.contact = False
        world.carriage.set_compression(clock.s(), 0.0)
        world.poke()
    op.contact = False
    op.trigger = False

