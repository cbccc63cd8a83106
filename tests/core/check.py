"""Helpers for core tests that run unchanged under CPython (pytest) and MicroPython."""

import sys

# Tests may scale heavy workloads down under the real interpreter (it is ~10x slower).
MICROPYTHON = sys.implementation.name == "micropython"


def raises(exc_type, fn, *args, **kw):
    """Call fn(*args, **kw); return the exc_type it raised, fail if it raised nothing else."""
    try:
        fn(*args, **kw)
    except exc_type as e:
        return e
    raise AssertionError("%s was not raised" % exc_type.__name__)


def scaled(n_cpython, n_micropython):
    """A workload size: n_cpython under CPython, n_micropython under MicroPython."""
    return n_micropython if MICROPYTHON else n_cpython
