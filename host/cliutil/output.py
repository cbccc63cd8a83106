"""Machine-readable output of the commands: one JSON shape, to a file or to stdout ('-').

Every command that reports something takes `--json PATH` (`-`, or `--json` alone, for
stdout) and writes one object: "command" and "meso_version" first, then the command's own
keys ("shots", "summary", "status", ...), the same keys its text output is made from.
"""

import json
import sys
from importlib import metadata

from host.errors import MesoError


def version():
    """The installed mesogun's version (pyproject.toml's), or "unknown" outside an install."""
    try:
        return metadata.version("mesogun")
    except metadata.PackageNotFoundError:
        return "unknown"


def add_json_argument(p, what):
    """--json [PATH]: what (e.g. "the shots") as JSON to PATH; '-' or no PATH: stdout."""
    p.add_argument("--json", metavar="PATH", nargs="?", const="-",
                   help="also write %s as JSON to PATH ('-' or no PATH: stdout)" % what)


def to_stdout(path):
    """True when --json sends the document to stdout (then the text output stays off it)."""
    return path == "-"


def write_json(path, doc):
    """Write doc as JSON to path, or to stdout for '-'."""
    if path == "-":
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    try:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
    except OSError as e:
        raise MesoError("%s: cannot write: %s" % (path, e.strerror or e))


def emit(path, command, doc):
    """Write a command's report in the shared shape (see the module header)."""
    out = {"command": command, "meso_version": version()}
    out.update(doc)
    write_json(path, out)
