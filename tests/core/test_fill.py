"""The gun's fill account (firmware/fill.py): the plunger's whole travel against the fill
less its reserve; a dose that would not fit asks for a refill before the needle moves."""

from rig import Rig, point_zone, protocol

from firmware import fill
from firmware.board import by_name
from firmware.hal import AXIS_PLUNGER


def test_a_dose_the_reserve_would_not_cover_asks_for_the_refill_before_it_starts():
    # 1 mL syringe, 5 x 200 µL: the commanded 1000 µL is the nominal fill, and the fifth
    # dose would eat into the reserve, so the gun asks before it, needle out.
    rig = Rig(protocol([point_zone(points=5, dose_ul=200, pace_ms=4000)], syringe_ml=1))
    rig.arm()
    for _ in range(4):
        rig.pull()
        rig.run_until("armed")
    m = rig.app.machine
    steps_before = rig.hal.steps_done(AXIS_PLUNGER)
    rig.pull()
    rig.run_until("refill")
    assert rig.app.session.shots == 4 and m.carriage.pos == 0
    assert rig.hal.steps_done(AXIS_PLUNGER) == steps_before  # the plunger did not move
    # Counted in commanded µL alone, the dose would still have fitted the nominal 1 mL.
    s = rig.app.session
    assert s.syringe_nl + s.zone().dose_nl <= s.syringe.volume_nl and not m.fits
    assert rig.app.refilled() and m.fill.used_steps == 0
    rig.pull()
    rig.run_until("done")
    assert rig.app.session.shots == 5


def test_the_reserve_is_sized_from_the_board_and_the_dose_model():
    board = by_name("sim")
    rig = Rig(protocol([point_zone()], syringe_ml=3))
    rig.arm()
    model = rig.app.machine.dosing
    syringe = board.syringe(3)
    r = fill.reserve_nl(board, syringe, model)
    assert syringe.volume_nl * 3 // 100 < r < syringe.volume_nl * 4 // 100
    assert rig.app.machine.fill.limit_steps == model.scale.steps(syringe.volume_nl - r)


def test_the_plan_puts_each_refill_after_the_last_point_that_fits():
    board = by_name("sim")
    p = protocol([point_zone(name="a", points=10, dose_ul=300),
                  point_zone(name="b", points=4, dose_ul=100)], syringe_ml=3)
    ends = fill.account(board, p)[0]
    # 9 x 300 µL fit 2.9 mL (reserve kept); the tenth and b come from the second fill.
    assert ends == [(0, 8), (1, 3)], ends
