"""Loader at a gun's flash root: boots the firmware folder named in `active`.

`meso flash` writes each firmware into a new folder and rewrites `active` last, so a flash
cut short leaves the previous firmware booting. This file stays the same across flashes.
"""

import sys


def _boot():
    try:
        with open("active") as f:
            folder = f.read().strip()
    except OSError:
        print("no firmware here: flash one with meso flash")
        return
    sys.path.insert(0, folder)
    from firmware import boot

    boot.start(folder)


_boot()
