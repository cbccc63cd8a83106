"""The TOML line locator: every key, table and item maps to the line it starts on."""

import tomllib

from host.protocol.lines import locate

DOC = '''\
# a comment with [brackets] and key = "value"
title = "x # not a comment"

[protocol]
name = 'lit # [x]'
"quoted key" = 1
dotted.inner = 2   # trailing comment

[[zone]]
name = "a"
grid = { rows = 2, cols = 3, spacing_mm = 4.5 }
tags = [
  "one",   # comment inside an array
  "two ]",
  { k = 1 },
]
text = """
multi-line [[zone]]
name = "fake"
"""

[zone.grid2]
rows = 7

[[zone]]
name = "b"
literal = \'\'\'
[[zone]] again\'\'\'
points = 3
'''


def test_locate_paths():
    tomllib.loads(DOC)  # the locator only runs on documents tomllib accepts
    m = locate(DOC)
    expect = {
        ("title",): 2,
        ("protocol",): 4,
        ("protocol", "name"): 5,
        ("protocol", "quoted key"): 6,
        ("protocol", "dotted"): 7,
        ("protocol", "dotted", "inner"): 7,
        ("zone",): 9,
        ("zone", 0): 9,
        ("zone", 0, "name"): 10,
        ("zone", 0, "grid"): 11,
        ("zone", 0, "grid", "spacing_mm"): 11,
        ("zone", 0, "tags"): 12,
        ("zone", 0, "tags", 0): 13,
        ("zone", 0, "tags", 1): 14,
        ("zone", 0, "tags", 2, "k"): 15,
        ("zone", 0, "text"): 17,
        ("zone", 0, "grid2"): 22,
        ("zone", 0, "grid2", "rows"): 23,
        ("zone", 1): 25,
        ("zone", 1, "name"): 26,
        ("zone", 1, "literal"): 27,
        ("zone", 1, "points"): 29,
    }
    got = {p: m.line_of(p) for p in expect}
    assert got == expect
    # Text inside strings never becomes a key or a table.
    assert ("zone", 2) not in m
    assert ("zone", 0, "name") in m and m.line_of(("zone", 0, "name")) == 10


def test_fallback_to_enclosing_path():
    m = locate(DOC)
    assert m.line_of(("zone", 1, "dose_ul")) == 25
    assert m.line_of(("nothing",)) == 1
    assert m.line_of(("nothing",), default=0) == 0


def test_crlf_and_escapes():
    text = '[protocol]\r\nname = "a \\" [[zone]]"\r\n\r\n[[zone]]\r\nname = "z"\r\n'
    tomllib.loads(text)
    m = locate(text)
    assert m.line_of(("protocol", "name")) == 2
    assert m.line_of(("zone", 0, "name")) == 5


def _emit(rng):
    """A random TOML document with the line each path is written on, known as it is built."""
    out, where = [], {}

    def put(text, path=None):
        if path is not None:
            where[path] = len(out) + 1
        out.append(text)

    def noise():
        for _ in range(rng.randrange(3)):
            put(rng.choice(["", "# note: [[zone]] x = 1", "   ", "# 'quote\" ["]))

    def scalar():
        return rng.choice(['"text, with ] and # and = "', "'lit [x]'", "12", "-3.5", "true",
                           "1e3", '"esc \\" quote"', "2026-11-21"])

    def keyval(path, key):
        kind = rng.randrange(4)
        if kind == 0:
            put("%s = %s%s" % (key, scalar(), rng.choice(["", "  # c"])), path + (key,))
        elif kind == 1:
            inner = ["k%d = %s" % (i, scalar()) for i in range(rng.randrange(1, 4))]
            put("%s = { %s }" % (key, ", ".join(inner)), path + (key,))
            for i in range(len(inner)):
                where[path + (key, "k%d" % i)] = len(out)
        elif kind == 2:
            put("%s = [" % key, path + (key,))
            for i in range(rng.randrange(1, 4)):
                noise()
                put("  %s," % scalar(), path + (key, i))
            put("]")
        else:
            put('%s = """' % key, path + (key,))
            put("[[zone]]")
            put('name = "not a key"""')
    noise()
    put("[protocol]", ("protocol",))
    for i in range(rng.randrange(1, 5)):
        noise()
        keyval(("protocol",), "p%d" % i)
    for z in range(rng.randrange(1, 5)):
        noise()
        put(rng.choice(["[[zone]]", "[[ zone ]]", "[[zone]]  # next"]), ("zone", z))
        for i in range(rng.randrange(0, 5)):
            noise()
            keyval(("zone", z), "z%d" % i)
    return "\n".join(out) + "\n", where


def test_random_documents():
    import random

    rng = random.Random(1)
    for _ in range(300):
        text, where = _emit(rng)
        tomllib.loads(text)
        m = locate(text)
        got = {p: m.line_of(p, default=0) for p in where}
        assert got == where, text
