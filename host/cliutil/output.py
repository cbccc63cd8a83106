"""Machine-readable output of the commands: JSON to a file or to stdout."""

import json
import sys

from host.errors import MesoError


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
