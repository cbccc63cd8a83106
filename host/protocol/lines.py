"""Line numbers for TOML keys: tomllib gives values only, messages need file:line.

locate(text) scans source that tomllib has already accepted and maps every table, array
element and key to the line it starts on. Paths are tuples: ("protocol", "syringe_ml"),
("zone", 0) for the first [[zone]] header, ("zone", 0, "grid", "rows") for
a key of an inline table, ("zone", 0, "tags", 2) for an array item. The scanner skips
strings (all four kinds), comments and multi-line arrays, so none of those can fool it.
"""

_BARE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class LineMap:
    """Path -> line; line_of() falls back to the nearest enclosing path that has a line."""

    def __init__(self):
        self.lines = {}

    def line_of(self, path, default=1):
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return default

    def __contains__(self, path):
        return tuple(path) in self.lines


class _Scanner:
    def __init__(self, text):
        self.s = text
        self.i = 0
        self.line = 1
        self.map = LineMap()
        self.arrays = {}  # path of an array of tables -> number of elements so far

    def peek(self, n=1):
        return self.s[self.i:self.i + n]

    def advance(self, n=1):
        self.line += self.s.count("\n", self.i, self.i + n)
        self.i += n

    def skip_blank(self, newlines):
        """Skip spaces, and comments and newlines when newlines is true."""
        while self.i < len(self.s):
            c = self.s[self.i]
            if c in " \t\r" or (newlines and c == "\n"):
                self.advance()
            elif c == "#":
                end = self.s.find("\n", self.i)
                self.advance((len(self.s) if end < 0 else end) - self.i)
            else:
                return

    def string(self):
        """Read a quoted string starting here; return its (unescaped enough) text."""
        for quote in ('"""', "'''", '"', "'"):
            if self.peek(len(quote)) == quote:
                break
        self.advance(len(quote))
        start = self.i
        while self.i < len(self.s):
            if quote[0] == '"' and self.s[self.i] == "\\":
                self.advance(2)
                continue
            if self.peek(len(quote)) == quote:
                text = self.s[start:self.i]
                self.advance(len(quote))
                # A multi-line string may end with up to two extra quotes.
                while len(quote) == 3 and self.peek() == quote[0]:
                    self.advance()
                return text
            self.advance()
        return self.s[start:]

    def key(self):
        """A dotted key: list of parts."""
        parts = []
        while True:
            self.skip_blank(False)
            if self.peek() in ('"', "'"):
                parts.append(self.string())
            else:
                start = self.i
                while self.i < len(self.s) and self.s[self.i] in _BARE:
                    self.advance()
                parts.append(self.s[start:self.i])
            self.skip_blank(False)
            if self.peek() != ".":
                return parts
            self.advance()

    def value(self, path):
        """Skip one value, recording the lines of inline-table keys and array items."""
        self.skip_blank(False)
        c = self.peek()
        if c in ('"', "'"):
            self.string()
        elif c == "{":
            self.advance()
            while True:
                self.skip_blank(False)
                if self.peek() in ("}", ""):
                    self.advance()
                    return
                if self.peek() == ",":
                    self.advance()
                    continue
                self.keyval(path)
        elif c == "[":
            self.advance()
            n = 0
            while True:
                self.skip_blank(True)
                if self.peek() in ("]", ""):
                    self.advance()
                    return
                if self.peek() == ",":
                    self.advance()
                    continue
                self.map.lines.setdefault(path + (n,), self.line)
                self.value(path + (n,))
                n += 1
        else:
            while self.i < len(self.s) and self.s[self.i] not in ",]}\n#":
                self.advance()

    def keyval(self, table):
        line = self.line
        parts = self.key()
        for k in range(1, len(parts) + 1):
            self.map.lines.setdefault(table + tuple(parts[:k]), line)
        self.skip_blank(False)
        if self.peek() == "=":
            self.advance()
        self.value(table + tuple(parts))

    def resolve(self, parts):
        """A header's dotted name with each array of tables replaced by its last element."""
        path = ()
        for part in parts:
            path += (part,)
            if path in self.arrays:
                path += (self.arrays[path] - 1,)
        return path

    def header(self):
        line = self.line
        double = self.peek(2) == "[["
        self.advance(2 if double else 1)
        parts = self.key()
        self.advance(2 if double else 1)
        if double:
            array = self.resolve(parts[:-1]) + (parts[-1],)
            self.map.lines.setdefault(array, line)
            self.arrays[array] = self.arrays.get(array, 0) + 1
            table = array + (self.arrays[array] - 1,)
        else:
            table = self.resolve(parts)
        self.map.lines[table] = line
        return table

    def run(self):
        table = ()
        while True:
            self.skip_blank(True)
            if self.i >= len(self.s):
                return self.map
            if self.peek() == "[":
                table = self.header()
            else:
                self.keyval(table)


def locate(text):
    """The LineMap of a TOML document (which tomllib has accepted)."""
    return _Scanner(text).run()
