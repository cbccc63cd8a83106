"""The main loop idles exactly until the deadlines the app and the link ask for."""

from fakehal import FakeHAL
from rig import point_zone, protocol

from firmware import board as boards
from firmware import mainloop
from firmware.app import App


class IdleHAL(FakeHAL):
    def __init__(self, board):
        FakeHAL.__init__(self, board, start_us=(1 << 30) - 50000)
        self.waits = []

    def idle(self, deadline):
        wait = (deadline - self.now) % self.tick_period
        self.waits.append(wait)
        self.advance(wait)


class Link:
    def __init__(self):
        self.polls = 0

    def poll(self, now):
        self.polls += 1


def test_loop_sleeps_until_the_next_deadline_across_the_wrap():
    b = boards.by_name("sim")
    hal = IdleHAL(b)
    app = App(hal, b)
    assert app.load_protocol(protocol([point_zone()])) == []
    link = Link()
    mainloop.run(hal, app, link, stop=lambda: len(hal.waits) >= 40)
    assert link.polls == 40
    assert all(0 < w <= 100000 for w in hal.waits), hal.waits
    assert hal.now < 1 << 29  # the clock wrapped and the loop kept going
