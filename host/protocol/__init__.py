"""Protocol files: load a practitioner's TOML, check it, and hand the core form to the gun.

Stable API (used by `meso validate/plan/preview` and by `meso run`/`meso upload`):

    proto = host.protocol.load(path)        # ProtocolError (a MesoError) on unreadable
                                            # or malformed TOML, with FILE:LINE in it
    proto.data                              # the practitioner's form, as tomllib parsed it
    proto.lines.line_of(("zone", 0, "dose_ul"))   # line of any key, table or item
    proto.core(board=None)                  # {"protocol": {...}, "zone": [...]}: presets
                                            # resolved, grids -> points, host keys stripped
                                            # (board: the one last checked against, else sim)
    host.protocol.errors(proto, board)      # [Diagnostic] hard errors (firmware limits too)
    host.protocol.warnings(proto, board)    # [Diagnostic] soft limits to confirm
    host.protocol.checked(path, board)      # load + errors; raise ProtocolError if any
    host.protocol.confirm(warns, ask=input, out=print, accept=False)
                                            # show warnings, ask y/n (or accept); ProtocolError
                                            # if declined; returns the texts for the log
    host.protocol.board_named(name)         # firmware Board, or ProtocolError

`board` is a firmware.board.Board or a board name ("sim", "pico"). A Diagnostic prints as
`FILE:LINE: key: message` and has .line, .key, .value, .allowed, .why, .severity.
"""

import os
import re
import tomllib

from firmware import board as boards
from host.errors import MesoError
from host.protocol import check, soft
from host.protocol.diagnostic import Diagnostic
from host.protocol.form import core_of, zones_of
from host.protocol.lines import locate

FILE_MAX_BYTES = 256 * 1024
DEFAULT_BOARD = "sim"


class ProtocolError(MesoError):
    """The protocol layer's error: a protocol that cannot be used, a board that does not
    exist, warnings not confirmed. .diagnostics lists every reason found in the file (one
    line each when shown); a plain message has none."""

    def __init__(self, diagnostics):
        if isinstance(diagnostics, str):
            super().__init__(diagnostics)
            self.diagnostics = []
            return
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics

    def lines(self):
        """One line per problem in the file, FILE:LINE: key: message."""
        return [d.format() for d in self.diagnostics] or MesoError.lines(self)


class Protocol:
    def __init__(self, path, text, data, board=None):
        self.path = path
        self.text = text
        self.data = data
        self.lines = locate(text)
        self.board = None
        self.use_board(board)

    def use_board(self, board):
        """Resolve the zones for a board (a preset's pace depends on its mechanics)."""
        board = board_named(board)
        if board is not self.board:
            self.board = board
            self.zones = zones_of(self.data, board)
        return board

    @property
    def head(self):
        """The [protocol] table (empty if missing or not a table)."""
        head = self.data.get("protocol")
        return head if isinstance(head, dict) else {}

    def core(self, board=None):
        """The core form the firmware accepts (check errors() first)."""
        if board is not None:
            self.use_board(board)
        return core_of(self.data, self.zones)


# tomllib's wording, and what a practitioner most likely did.
_HINTS = (
    ("Illegal character '\\n'", "a string is not closed: missing quote?"),
    ("Cannot overwrite a value", "a key is given twice in one table"),
    ("Expected '=' after a key", "write key = value"),
    ("Invalid value", "numbers are plain: 1.5, 800; text is quoted"),
    ("Expected newline or end of document", "one key = value per line"),
)


def _syntax(path, err):
    m = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
    line = int(m.group(1)) if m else 1
    why = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(err))
    where = "column %s" % m.group(2) if m else "end of file"
    for clue, hint in _HINTS:
        if clue in why:
            why += " (%s)" % hint
    return Diagnostic(path, line, "syntax", None, None, "%s at %s" % (why, where))


def loads(text, path="<protocol>"):
    """A Protocol from TOML text; path is only used in messages."""
    if len(text.encode("utf-8")) > FILE_MAX_BYTES:
        raise ProtocolError([Diagnostic(path, 1, "file", None, "at most %d KiB" % (
            FILE_MAX_BYTES // 1024), "far too large for a protocol file")])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ProtocolError([_syntax(path, e)])
    return Protocol(path, text, data)


def load(path):
    """A Protocol from a file; ProtocolError for unreadable, oversized or malformed TOML."""
    try:
        if os.path.getsize(path) > FILE_MAX_BYTES:
            return loads("x" * (FILE_MAX_BYTES + 1), path)
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ProtocolError("%s: cannot read the protocol: %s" % (path, e.strerror or e))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise ProtocolError([Diagnostic(path, line, "file", None, None,
                                        "not UTF-8 text (byte %d)" % e.start)])
    return loads(text, path)


def board_named(board):
    if isinstance(board, boards.Board):
        return board
    try:
        return boards.by_name(board or DEFAULT_BOARD)
    except boards.BoardError as e:
        raise ProtocolError(str(e))


def errors(proto, board=DEFAULT_BOARD):
    """Every hard error, sorted by line: the firmware's limits and the file's own checks."""
    return check.errors(proto, proto.use_board(board))


def warnings(proto, board=DEFAULT_BOARD, errors_checked=False):
    """Soft-limit warnings to confirm; empty while the protocol has hard errors.
    errors_checked: the caller has just found none (the check is not run again)."""
    b = proto.use_board(board)
    if not errors_checked and check.errors(proto, b):
        return []
    return soft.warnings(proto, b)


def checked(path, board=DEFAULT_BOARD):
    """load() and errors(): the Protocol, or ProtocolError listing every hard error."""
    proto = load(path)
    errs = errors(proto, board)
    if errs:
        raise ProtocolError(errs)
    return proto


def confirm(warns, ask=input, out=print, accept=False):
    """Show soft-limit warnings and have them confirmed; the confirmed texts for the log.

    accept=True is `--accept-warnings`: shown and recorded, not asked. A "no", an unclear
    answer or the end of input stops the session with ProtocolError."""
    texts = [w.format() for w in warns]
    if not texts:
        return []
    for t in texts:
        out(t)
    if accept:
        out("%d warning%s accepted (--accept-warnings)." % (len(texts), "" if len(texts) == 1
                                                             else "s"))
        return texts
    try:
        reply = ask("Proceed outside the usual clinical range? [y/N] ")
    except EOFError:
        reply = ""
    if (reply or "").strip().lower() not in ("y", "yes"):
        raise ProtocolError("session not started: %d warning%s not confirmed (or use "
                        "--accept-warnings)" % (len(texts), "" if len(texts) == 1 else "s"))
    return texts
