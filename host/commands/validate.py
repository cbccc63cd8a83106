"""`meso validate FILE`: every problem of a protocol file at once, as FILE:LINE: key: message."""

import sys

from host import protocol

COMMAND = "validate"
HELP = "check a protocol file against the board's hard limits and the usual clinical ranges"


def add_arguments(p):
    p.add_argument("files", nargs="+", metavar="FILE", help="protocol file (.toml)")
    p.add_argument("--board", default=protocol.DEFAULT_BOARD,
                   help="board whose limits apply (default: %(default)s)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")


def check_file(path, board, out=None):
    """Print the file's diagnostics; return (number of errors, number of warnings)."""
    out = out or sys.stdout
    try:
        proto = protocol.load(path)
    except protocol.ProtocolError as e:
        if not e.diagnostics:  # unreadable, not malformed: nothing to list per line
            raise
        for d in e.diagnostics:
            print(d.format(), file=out)
        return len(e.diagnostics), 0
    errs = protocol.errors(proto, board)
    warns = [] if errs else protocol.warnings(proto, board)
    for d in sorted(errs + warns, key=lambda d: d.line):
        print(d.format(), file=out)
    return len(errs), len(warns)


def run(args):
    board = protocol.board_named(args.board)
    failed = False
    for path in args.files:
        n_err, n_warn = check_file(path, board)
        if n_err:
            print("%s: invalid (%d error%s)" % (path, n_err, "" if n_err == 1 else "s"))
        elif n_warn:
            print("%s: valid with %d warning%s to confirm" % (path, n_warn,
                                                                "" if n_warn == 1 else "s"))
        else:
            print("%s: valid on board %s" % (path, board.name))
        failed = failed or n_err > 0 or (args.strict and n_warn > 0)
    return 1 if failed else 0
