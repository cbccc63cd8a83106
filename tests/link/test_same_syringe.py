"""Protocols one after another on the same syringe of a served gun, weighed by its plant."""

from host.flash import calibrate
from host.link.session import Session
from host.link.stream import StreamRun
from sim.serve import Background


def test_the_first_shot_of_the_next_protocol_is_a_full_dose(tmp_path):
    """The plunger stands backed off by the last relief when a protocol ends; the next
    protocol's first shot takes that up instead of coming out short by it (0.7 µL on a
    1 mL syringe, 7 % of a 10 µL shot, before the gun carried its state over)."""
    water = calibrate.protocol(1, 10, 1)["protocol"]
    with Background(tmp_path / "gun", 2, water) as gun:
        world = gun.device.world
        s = Session.open(gun.port)
        try:
            firsts = []
            for dose_ul in (10, 40, 10):
                before = len(world.insertions)
                run = StreamRun(s, calibrate.protocol(3, dose_ul, 1))
                assert run.run() == "done"
                shots = [i["delivered_ul"] for i in world.insertions[before:]]
                assert len(shots) == 4
                firsts.append((dose_ul, shots[0], sum(shots[1:]) / 3))
        finally:
            s.close()
    # The first protocol's first shot is the fresh syringe's (its charge is the dose model's
    # guess: water through 30 G is too fast for the pressure reference): the carry-over is
    # about the next protocols' first shots. The plant's syringe is 0.35 % under nominal
    # (uncalibrated gun): compare the first shot with the protocol's other shots. A real
    # syringe's compliance (known to the model only to x2) leaves up to 1-2 % of a shot.
    for dose_ul, first, rest in firsts[1:]:
        assert abs(first - rest) / dose_ul < 0.02, firsts


def test_the_next_protocol_on_a_held_line_keeps_what_priming_measured(tmp_path):
    """A line held on its pressure (3 mL, 32 G, a light fluid: tau under a second) is primed
    once per syringe. The next protocol on it, with the same needle and fluid, took over the
    reference but not the needle's flow and the fall in air that priming measured: its
    doses swept at the zone's flow and its holds counted no let-out, and its first shot
    came out 10 % long (11.0 µL for 10, seed 2). And the fresh syringe's first shot sweeps
    what priming's relief and fall let out on top of its dose: swept as if all of it lifted
    the line from the reference, it lifted it too little for the hold to time its end, and
    came out 14 % long (11.4 µL, seed 5)."""
    def held(points):
        return {"protocol": {"name": "held", "syringe_ml": 3, "needle_mm": 4,
                             "needle_gauge": 32, "viscosity_mpas": 2},
                "zone": [{"name": "z", "mode": "point", "points": points, "depth_mm": 1.0,
                          "dose_ul": 10, "pace_ms": 3000}]}

    with Background(tmp_path / "gun", 5, held(1)["protocol"], speed=200.0) as gun:
        world = gun.device.world
        s = Session.open(gun.port)
        try:
            runs = []
            for _ in range(2):
                before = len(world.insertions)
                assert StreamRun(s, held(4)).run() == "done"
                runs.append([i["delivered_ul"] for i in world.insertions[before:]])
        finally:
            s.close()
    for run in runs:
        first, rest = run[0], run[1:]
        assert len(rest) == 3
        assert abs(first - sum(rest) / 3) < 0.2, runs
