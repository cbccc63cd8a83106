"""What differs between MicroPython and CPython, in one place.

`const` is folded by the MicroPython compiler (it recognises `NAME = const(value)` whatever
`const` is bound to); under CPython it is the identity. `heap_lock()` / `heap_unlock()` are
MicroPython's (nesting: the heap is free again at the last unlock); CPython has no such heap.
"""

try:
    from micropython import const  # noqa: F401
except ImportError:

    def const(value):
        return value

try:
    from micropython import heap_lock, heap_unlock  # noqa: F401
except ImportError:

    def heap_lock():
        return 0

    def heap_unlock():
        return 0


# The locks this firmware holds on the heap (heap_lock nests; an unlock with none held would
# wrap the interpreter's count and lock the heap for good): lock() and unlock() pair them.
held = 0


def lock():
    global held
    heap_lock()
    held += 1


def unlock():
    global held
    held -= 1
    heap_unlock()
