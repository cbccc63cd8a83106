"""Debouncing: a bounce never starts a shot, a held level is believed after its time."""

from firmware import board as boards
from firmware.hal import IN_CONTACT, IN_PLUNGER_END, IN_TRIGGER
from firmware.inputs import Inputs

P = 1 << 30
MASK = P - 1


def make():
    return Inputs(boards.by_name("sim"), MASK)


def test_bounce_is_ignored():
    inp = make()
    t = 0
    for _ in range(10):  # 2 ms on, 2 ms off: never stable for 10 ms
        inp.update(IN_TRIGGER, t)
        t += 2000
        inp.update(0, t)
        t += 2000
    assert not inp.level(IN_TRIGGER)
    assert not inp.take_press()


def test_press_after_debounce_counts_once():
    inp = make()
    wake = inp.update(IN_TRIGGER, 0)
    assert wake == 10000  # the board's 10 ms trigger debounce
    inp.update(IN_TRIGGER, 9999)
    assert not inp.level(IN_TRIGGER)
    inp.update(IN_TRIGGER, 10000)
    assert inp.level(IN_TRIGGER)
    assert inp.take_press()
    assert not inp.take_press()


def test_contact_debounce_across_the_wrap():
    inp = make()
    start = P - 5000
    inp.update(IN_CONTACT, start)
    inp.update(IN_CONTACT, 10000)  # 15 ms later, across the wrap: not yet 20 ms
    assert not inp.level(IN_CONTACT)
    inp.update(IN_CONTACT, 15000)
    assert inp.level(IN_CONTACT)


def test_switches_pass_straight_through():
    inp = make()
    inp.update(IN_PLUNGER_END, 0)
    assert inp.level(IN_PLUNGER_END)
    inp.update(0, 1)
    assert not inp.level(IN_PLUNGER_END)
