"""Runs the plain wire tests under MicroPython: every test_ function of the named modules."""

import sys

sys.path.insert(0, ".")
sys.path.insert(0, "tests/wire")
ran = 0
for modname in sys.argv[1:]:
    mod = __import__(modname)
    for k in sorted(dir(mod)):
        if k.startswith("test_"):
            getattr(mod, k)()
            ran += 1
print("passed", ran)
