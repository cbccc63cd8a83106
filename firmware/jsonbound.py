"""Bounds on an uploaded protocol's JSON, checked before it is parsed: nesting depth and the
number of values, by one scan of the bytes that builds nothing. json.loads then never
recurses deep (8000 nested brackets would exhaust the stack) nor builds a large tree; the
upload's size is already bounded by its LOAD_BEGIN (firmware/link_store.py)."""

from firmware.compat import const

# The core form nests three deep ({"zone": [{...}]}); a value one deeper than that still
# gets its own message from the limits ("expected a number"), so allow a little room.
DEPTH_MAX = const(5)
# Values in all objects and arrays together: 64 zones of a dozen keys fit many times over.
VALUES_MAX = const(2048)

_QUOTE = const(0x22)
_BACKSLASH = const(0x5C)
_COMMA = const(0x2C)


def check(data):
    """None when data's nesting and size are within bounds, else a one-line reason."""
    depth = 0
    values = 0
    in_str = False
    escaped = False
    for b in data:
        if in_str:
            if escaped:
                escaped = False
            elif b == _BACKSLASH:
                escaped = True
            elif b == _QUOTE:
                in_str = False
        elif b == _QUOTE:
            in_str = True
        elif b == 0x7B or b == 0x5B:  # { [
            depth += 1
            values += 1
            if depth > DEPTH_MAX:
                return ("protocol: nested more than %d deep (allowed: at most %d levels; "
                        "a protocol is {\"protocol\": {...}, \"zone\": [{...}]})"
                        % (DEPTH_MAX, DEPTH_MAX))
        elif b == 0x7D or b == 0x5D:  # } ]
            depth -= 1
        elif b == _COMMA:
            values += 1
            if values > VALUES_MAX:
                return "protocol: more than %d values (allowed: at most %d)" % (
                    VALUES_MAX, VALUES_MAX)
    return None
