"""Questions to the person at the gun while a session is open.

The gun stops a streamed session when its host goes quiet, and the host gives up on a gun it
has not heard from, so a prompt that may take minutes (weighing, fitting a syringe) keeps
the link pumping while input() waits on its own thread.
"""

import threading

from host.errors import MesoError


class NoAnswer(MesoError):
    """Standard input ended before the question was answered."""


def ask(session, prompt):
    """input(prompt) with the link kept alive; the answer without surrounding blanks."""
    got = []

    def read():
        try:
            got.append(input(prompt))
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread
            got.append(e)

    t = threading.Thread(target=read, daemon=True)
    t.start()
    while t.is_alive():
        session.pump(50000)
    if isinstance(got[0], EOFError):
        raise NoAnswer("no answer at the prompt (end of input)")
    if isinstance(got[0], BaseException):
        raise got[0]
    return got[0].strip()
