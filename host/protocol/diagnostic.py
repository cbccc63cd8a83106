"""One finding about a protocol file, printed as `FILE:LINE: key: message`."""

import math


def show(value):
    """A value as the practitioner wrote it (TOML-like, not Python-like)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # nan, inf: TOML spells them the same way
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, str):
        return '"%s"' % value if len(value) <= 60 else '"%s..." (%d characters)' % (
            value[:40], len(value))
    if isinstance(value, (dict, list)):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return str(value)


class Diagnostic:
    """An error (blocks the session) or a warning (a soft limit the practitioner confirms)."""

    def __init__(self, path, line, key, value, allowed, why, severity="error"):
        self.path = path
        self.line = line
        self.key = key
        self.value = value
        self.allowed = allowed
        self.why = why
        self.severity = severity

    def message(self):
        text = self.why
        if self.value is not None:
            text += "; got %s" % show(self.value)
        if self.allowed:
            word = "usual" if self.severity == "warning" else "allowed"
            text += " (%s: %s)" % (word, self.allowed)
        return text

    def format(self):
        tag = "warning: " if self.severity == "warning" else ""
        return "%s:%d: %s%s: %s" % (self.path, self.line, tag, self.key, self.message())

    def __str__(self):
        return self.format()

    def __repr__(self):
        return "Diagnostic(%s)" % self.format()
