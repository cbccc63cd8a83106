"""Fault injection: something goes wrong at a given time or during a given shot.

A spec is "KIND@SECONDS" or "KIND#SHOT" (1-based), with an optional ":DURATION_S";
KIND is one of KINDS. Shot faults strike once that shot's dose has started. What each
does to the world is below; the operator clears an occlusion (new needle) when it
acknowledges, and the session ends after an empty syringe or a power cut.
"""

KINDS = {
    "occlusion": "the needle blocks: no flow until the operator changes it",
    "contact_lost": "the operator slips off the skin mid-dose",
    "stall": "the plunger driver flags a stall",
    "syringe_empty": "the syringe runs out mid-dose (the stopper bottoms)",
    "stuck_switch": "the carriage home switch sticks closed",
    "gc_storm": "garbage-collection pauses ten times as often, twice as long",
    "power_loss": "the supply fails: everything stops where it is (with :DURATION_S it comes "
                  "back and the gun powers up with its flash as the cut left it)",
}
DEFAULT_DURATION_S = {
    "contact_lost": 0.5,
    "stall": 0.05,
    "stuck_switch": 2.0,
    "gc_storm": 10.0,
}


class FaultSpecError(ValueError):
    pass


def parse(text):
    """'occlusion#5', 'gc_storm@12.5:20' -> dict(kind, at_s, at_shot, duration_s)."""
    body, _, dur = text.partition(":")
    sep = "@" if "@" in body else "#"
    kind, _, when = body.partition(sep)
    if kind not in KINDS:
        raise FaultSpecError("fault %r: unknown kind (known: %s)" % (text, ", ".join(KINDS)))
    try:
        at = float(when) if sep == "@" else int(when)
        duration = float(dur) if dur else DEFAULT_DURATION_S.get(kind, 0.0)
    except ValueError:
        raise FaultSpecError("fault %r: write KIND@SECONDS or KIND#SHOT, optionally :DURATION_S"
                             % text)
    if at < (0 if sep == "@" else 1) or duration < 0:
        raise FaultSpecError("fault %r: time, shot and duration must be positive" % text)
    return {"kind": kind, "at_s": at if sep == "@" else None,
            "at_shot": at if sep == "#" else None, "duration_s": duration, "spec": text}


def inject(env, world, run, spec):
    """The process that makes one fault happen."""
    clock = world.clock
    if spec["at_s"] is not None:
        yield env.timeout(max(0, clock.from_s(spec["at_s"]) - env.now))
    else:
        while not _shot_reached(world, run, spec["at_shot"]):
            yield world.needle_event | env.timeout(clock.from_us(10000))
        # Wait for the dose to start (the plunger moving with the needle in).
        for _ in range(3000):
            if world.plunger_exec.active or not world.needle_in():
                break
            yield env.timeout(clock.from_us(1000))
        yield env.timeout(clock.from_us(20000))
    kind = spec["kind"]
    t = clock.s()
    run.injected(kind, t, spec["spec"])
    world.sync()
    dur = clock.from_s(spec["duration_s"])
    if kind == "occlusion":
        world.plunger.occluded = True
    elif kind == "contact_lost":
        yield from _for(env, world, "contact_off", dur)
    elif kind == "stall":
        yield from _for(env, world, "stall", dur)
    elif kind == "stuck_switch":
        yield from _for(env, world, "carriage_home", dur)
    elif kind == "syringe_empty":
        world.plunger.fill_ul = world.plunger.swept_ul + 0.5
    elif kind == "gc_storm":
        world.gc.add_storm(env.now, env.now + dur)
    elif kind == "power_loss":
        run.power_loss(spec["duration_s"])  # 0: the power stays off


def _shot_reached(world, run, shot):
    """The needle is in for that shot: its insertion, or in perfusion (one insertion, a
    bolus per shot) the needle still in after the shots before it were logged."""
    if len(world.insertions) >= shot:
        return True
    # A served gun (sim/link_world.py) keeps no run records: insertions only, there.
    records = getattr(run, "records", None)
    return records is not None and world.needle_in() and len(records) >= shot - 1


def _for(env, world, what, dur):
    world.stuck[what] = True
    world.poke()
    yield env.timeout(dur)
    world.sync()
    world.stuck.pop(what, None)
    world.poke()


def clear(world):
    """What the operator fixes before acknowledging: a fresh needle."""
    world.sync()
    world.plunger.occluded = False
