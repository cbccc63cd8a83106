"""The cooperative main loop of a board: poll the app and the link, then idle until due.

Boards call run(); the simulator does not (it schedules App.poll itself in simulated time).
The loop never blocks longer than the deadline the app returned, so debouncing, the shot
machine, pacing and the link all keep their timing.
"""

from firmware import ticks


def run(hal, app, link=None, stop=None):
    """Run until stop() returns True (forever on a device)."""
    mask = hal.tick_mask
    while stop is None or not stop():
        now = hal.ticks()
        deadline = app.poll(now)
        if link is not None:
            due = link.poll(now)
            if due is not None and ticks.diff(due, deadline, mask) < 0:
                deadline = due
        hal.idle(deadline)
