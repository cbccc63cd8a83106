"""`meso verify --port P`: compare a gun's firmware files with its manifest."""

from firmware.manifest import source_text
from host.cliutil.port import add_port_arguments, require_port
from host.flash import deploy

COMMAND = "verify"
HELP = "check a gun's firmware: its board, signature and every file against its manifest"


def add_arguments(p):
    add_port_arguments(p, repl=True)


def run(args):
    require_port(args.port)
    folder, m, problems = deploy.verify(args.port)
    if m is not None:
        print("firmware %s for %s, source %s, in %s: %d files" % (
            m.get("version"), m.get("board"), source_text(m.get("commit"), m.get("dirty")), folder,
            len(m["files"])))
    for path, what in problems:
        print("  %s: %s" % (path, what))
    if problems:
        print("DRIFT: %d file(s) differ from the manifest" % len(problems))
        return 1
    print("ok: every file matches the manifest")
    return 0
