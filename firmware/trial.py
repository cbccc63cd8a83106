"""Trial boot, the firmware's half: a folder the loader booted on trial confirms itself.

The loader (main.py) renames `trial` to `trial.run` before it imports a new firmware. Here,
at the gun's first handshake and only if its boot check is clean, `active` is rewritten to
name this folder (write, then one rename) and `trial.run` goes. A firmware that never gets
there is not confirmed: at the next reset the loader boots the one `active` still names.
"""

import os

from firmware.manifest import ACTIVE

RUN = "trial.run"  # main.py: RUN


def _text(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def on_trial(folder):
    """True while folder is the loader's unconfirmed trial."""
    return _text(RUN) == folder


def confirm(folder):
    """Make folder the one that boots; True once `active` names it."""
    with open(ACTIVE + ".new", "w") as f:
        f.write(folder)
    os.rename(ACTIVE + ".new", ACTIVE)
    try:
        os.remove(RUN)
    except OSError:
        pass  # already gone: the loader clears a trial.run that names `active`
    return _text(ACTIVE) == folder


def confirm_at_handshake(gun, folder, healthy):
    """Confirm folder when the link answers its first HELLO, if healthy() still holds; the
    identity says `trial` until then (so the HELLO that confirms already reads false)."""
    link = gun.link
    hello = link._hello
    gun.describe(trial=True)

    def first_hello(nonce, part, tag):
        if healthy() and on_trial(folder):
            try:
                done = confirm(folder)
            except OSError:
                done = False  # a full flash: stays on trial, the previous one boots next
            if done:
                link._hello = hello
                gun.describe(trial=False)
        hello(nonce, part, tag)

    link._hello = first_hello
