"""pytest setup shared by every test folder."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# tests/ holds the MicroPython runner; tests/core holds helpers the core tests import by name
# (the same way they import them under MicroPython).
for d in (HERE, os.path.join(HERE, "core")):
    if d not in sys.path:
        sys.path.insert(0, d)

# tests/mpy runs only under MicroPython (through test_under_micropython.py).
collect_ignore = ["mpy"]
