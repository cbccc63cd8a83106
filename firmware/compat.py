"""What differs between MicroPython and CPython, in one place.

`const` is folded by the MicroPython compiler (it recognises `NAME = const(value)` whatever
`const` is bound to); under CPython it is the identity.
"""

try:
    from micropython import const  # noqa: F401
except ImportError:

    def const(value):
        return value
