"""`meso validate FILE`: every problem of a protocol file at once, as FILE:LINE: key: message."""

import sys

from host import protocol
from host.cliutil.output import add_json_argument, emit, to_stdout
from host.protocol.plan import Plan, line_flow_notes

COMMAND = "validate"
HELP = "check a protocol file against the board's hard limits and the usual clinical ranges"


def add_arguments(p):
    p.add_argument("files", nargs="+", metavar="FILE", help="protocol file (.toml)")
    p.add_argument("--board", default=protocol.DEFAULT_BOARD,
                   help="board whose limits apply (default: %(default)s)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    add_json_argument(p, "each file's errors and warnings")


def diagnostics(path, board):
    """(errors, warnings) of one file, each as FILE:LINE: key: message lines."""
    try:
        proto = protocol.load(path)
    except protocol.ProtocolError as e:
        if not e.diagnostics:  # unreadable, not malformed: nothing to list per line
            raise
        return e.diagnostics, []
    errs = protocol.errors(proto, board)
    return errs, [] if errs else protocol.warnings(proto, board)


def check_file(path, board, out=None, found=None, quiet=False):
    """Print the file's diagnostics (unless quiet); return (errors, warnings) counted."""
    out = None if quiet else out or sys.stdout
    errs, warns = diagnostics(path, board)
    if found is not None:
        found.append({"file": path, "errors": [d.format() for d in errs],
                      "warnings": [d.format() for d in warns]})
    if out is not None:
        for d in sorted(errs + warns, key=lambda d: d.line):
            print(d.format(), file=out)
    return len(errs), len(warns)


def flow_notes(path, board):
    """The plan's notes on zones whose flow the line sets (how long their shots take)."""
    proto = protocol.load(path)
    return line_flow_notes(Plan(proto, board))


def run(args):
    board = protocol.board_named(args.board)
    failed, found = False, []
    quiet = to_stdout(args.json)
    for path in args.files:
        n_err, n_warn = check_file(path, board, found=found, quiet=quiet)
        failed = failed or n_err > 0 or (args.strict and n_warn > 0)
        if quiet:
            continue
        if n_err:
            print("%s: invalid (%d error%s)" % (path, n_err, "" if n_err == 1 else "s"))
        elif n_warn:
            print("%s: valid with %d warning%s to confirm" % (path, n_warn,
                                                                "" if n_warn == 1 else "s"))
        else:
            print("%s: valid on board %s" % (path, board.name))
        if not n_err:
            for note in flow_notes(path, board):
                print("%s: %s" % (path, note))
    if args.json:
        emit(args.json, COMMAND, {"board": board.name, "valid": not failed, "files": found})
    return 1 if failed else 0
