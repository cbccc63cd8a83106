"""`meso verify --port P`: compare a gun's firmware files with its manifest."""

from host.cliutil.port import add_port_arguments, require_port
from host.flash import deploy

COMMAND = "verify"
HELP = "check every firmware file on a gun against its manifest and report drift"


def add_arguments(p):
    add_port_arguments(p, repl=True)


def run(args):
    require_port(args.port)
    folder, m, problems = deploy.verify(args.port)
    if m is not None:
        print("firmware %s for %s, built %s, in %s: %d files" % (
            m.get("version"), m.get("board"), m.get("build_time"), folder, len(m["files"])))
    for path, what in problems:
        print("  %s: %s" % (path, what))
    if problems:
        print("DRIFT: %d file(s) differ from the manifest" % len(problems))
        return 1
    print("ok: every file matches the manifest")
    return 0
