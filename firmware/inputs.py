"""Debounced inputs: a raw level must hold for its debounce time before the core believes it.

Contact and trigger bounce (the Alaris key-bounce recalls are the cautionary tale); switches
and stall flags are taken as they come because acting late on them is worse than acting
twice. update() allocates nothing.
"""

from firmware import ticks
from firmware.hal import IN_CONTACT, IN_TRIGGER


class Inputs:
    def __init__(self, board, mask):
        self.mask = mask
        self.trigger_us = board.trigger_debounce_ms * 1000
        self.contact_us = board.contact_debounce_ms * 1000
        self.raw = 0
        self.stable = 0  # debounced levels of trigger and contact, raw levels of the rest
        self.trigger_since = 0
        self.contact_since = 0
        self.pressed = False  # a debounced trigger press not yet consumed

    def update(self, raw, now):
        """Take a raw reading at time now; return the next time a level may settle, or -1."""
        mask = self.mask
        changed = raw ^ self.raw
        if changed & IN_TRIGGER:
            self.trigger_since = now
        if changed & IN_CONTACT:
            self.contact_since = now
        self.raw = raw
        stable = (self.stable & (IN_TRIGGER | IN_CONTACT)) | (raw & ~(IN_TRIGGER | IN_CONTACT))
        wake = -1
        if (raw ^ stable) & IN_TRIGGER:
            left = self.trigger_us - ticks.diff(now, self.trigger_since, mask)
            if left <= 0:
                stable ^= IN_TRIGGER
                if stable & IN_TRIGGER:
                    self.pressed = True
            else:
                wake = ticks.add(now, left, mask)
        if (raw ^ stable) & IN_CONTACT:
            left = self.contact_us - ticks.diff(now, self.contact_since, mask)
            if left <= 0:
                stable ^= IN_CONTACT
            elif wake < 0 or ticks.diff(ticks.add(now, left, mask), wake, mask) < 0:
                wake = ticks.add(now, left, mask)
        self.stable = stable
        return wake

    def level(self, bit):
        return (self.stable & bit) != 0

    def take_press(self):
        """True once per debounced trigger press."""
        if self.pressed:
            self.pressed = False
            return True
        return False
