"""Entry point of `meso`: builds the argument parser from host/commands/ and maps errors."""

import argparse
import importlib
import os
import pkgutil
import signal
import sys

from host import commands
from host.cliutil import completion, output
from host.errors import MesoError

# The exit statuses README.md documents ("Exit status"); a MesoError carries its own.
EXIT_OK = 0
EXIT_ERROR = 1  # a MesoError of any layer: the line says what, where and what is allowed
EXIT_USAGE = 2  # argparse's usage errors, and a command group given without its command
EXIT_INTERNAL = 70  # EX_SOFTWARE: a bug of meso, not the user's mistake
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def _module_names():
    return sorted(i.name for i in pkgutil.iter_modules(commands.__path__)
                  if not i.name.startswith("_"))


def _wanted(names, argv):
    """The command modules this command line can be about.

    A module is named after its command ("sim run" lives in sim_run.py), so a command
    imports only its own module: it starts faster and a broken module elsewhere cannot stop
    it. Help, an unknown word or a bare group imports every module the parser may list.
    """
    if not argv or argv[0].startswith("-"):
        return names
    if argv[0] in names:
        return [argv[0]]
    group = [n for n in names if n.startswith(argv[0] + "_")]
    if len(argv) > 1 and argv[0] + "_" + argv[1] in group:
        return [argv[0] + "_" + argv[1]]
    return group or names


def _command_modules(argv=None):
    names = _module_names()
    chosen = names if argv is None else _wanted(names, argv)
    mods = [importlib.import_module("host.commands." + n) for n in chosen]
    mods = [m for m in mods if hasattr(m, "COMMAND")]
    if chosen is not names and any(m.COMMAND.replace(" ", "_") != m.__name__.rsplit(".", 1)[1]
                                   for m in mods):
        return _command_modules()  # a module not named after its command: take them all
    return mods


def build_parser(argv=None):
    """The parser for every command, or only for the one argv names."""
    parser = argparse.ArgumentParser(
        prog="meso", description="mesogun: protocols, devices and the simulator"
    )
    parser.add_argument("--version", action="version", version="meso " + output.version())
    completion.add_to(parser)  # --print-completion bash|zsh|tcsh (shtab)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    groups = {}
    for mod in _command_modules(argv):
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


def _quit_now(signum, frame):
    """Ctrl-C before a command runs: nothing to undo, so leave at once and quietly (an
    interrupt raised inside an import can surface only as an unraisable traceback)."""
    os.write(2, b"meso: interrupted\n")
    os._exit(EXIT_INTERRUPTED)


def _parse(argv):
    """(parser, args); until the command runs, Ctrl-C quits at once."""
    before = None
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:  # else: ignored, keep so
        try:
            before = signal.signal(signal.SIGINT, _quit_now)
        except ValueError:  # not the main thread: leave signals alone
            pass
    try:
        parser = build_parser(argv)
        return parser, parser.parse_args(argv)
    finally:
        if before is not None:
            signal.signal(signal.SIGINT, before)


def _dispatch(argv):
    parser, args = _parse(argv)
    run = getattr(args, "_run", None)
    if run is None:
        group = getattr(args, "_group", parser)
        group.print_help()
        return EXIT_USAGE
    commands.before_run(args)  # --port auto: the gun is found before the command asks anything
    code = int(run(args) or EXIT_OK)
    sys.stdout.flush()  # a closed pipe shows here, where it is handled, not at exit
    return code


def _first_line(e):
    lines = str(e).strip().splitlines()
    return lines[0] if lines else "(no message)"


def _internal_error(e):
    """A bug: one line for the user, the traceback only when MESO_DEBUG=1 asks for it."""
    debug = os.environ.get("MESO_DEBUG") == "1"
    if debug:
        import traceback

        traceback.print_exc()
    print("meso: internal error: %s: %s (please report%s)" % (
        type(e).__name__, _first_line(e), "" if debug else "; MESO_DEBUG=1 shows the traceback"),
        file=sys.stderr)
    return EXIT_INTERNAL


def _silence_stdout():
    """The reader went away (`meso logs | head`): drop what is left instead of failing at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv=None):
    argv = sys.argv[1:] if argv is None else [str(a) for a in argv]
    try:
        return _dispatch(argv)
    except MesoError as e:
        for line in e.lines():
            print("meso: %s" % line, file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print("meso: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_ERROR
    except Exception as e:  # noqa: BLE001  (last resort: never a bare traceback)
        return _internal_error(e)


if __name__ == "__main__":
    sys.exit(main())
