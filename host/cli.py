"""Entry point of `meso`: builds the argument parser from host/commands/ and maps errors."""

import argparse
import importlib
import pkgutil
import sys

from host import commands
from host.errors import MesoError


def _command_modules():
    mods = []
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module("host.commands." + info.name)
        if hasattr(mod, "COMMAND"):
            mods.append(mod)
    return mods


def build_parser():
    parser = argparse.ArgumentParser(
        prog="meso", description="mesogun: protocols, devices and the simulator"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    groups = {}
    for mod in _command_modules():
        words = mod.COMMAND.split()
        target = sub
        if len(words) == 2:
            if words[0] not in groups:
                gp = sub.add_parser(words[0], help=words[0] + " commands")
                groups[words[0]] = gp.add_subparsers(dest="subcommand", metavar="SUBCOMMAND")
                gp.set_defaults(_group=gp)
            target = groups[words[0]]
        p = target.add_parser(words[-1], help=mod.HELP, description=mod.HELP)
        mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "_run", None)
    if run is None:
        group = getattr(args, "_group", parser)
        group.print_help()
        return 2
    try:
        return int(run(args) or 0)
    except MesoError as e:
        print("meso: %s" % e, file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("meso: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
