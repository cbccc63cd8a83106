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
