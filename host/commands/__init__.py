"""One module per `meso` command.

Each module defines:
    COMMAND = "validate"          # or a two-word group command such as "sim run"
    HELP = "one line for --help"
    def add_arguments(parser): ...
    def run(args) -> int: ...     # raise host.errors.MesoError for a user's mistake

host.cli discovers the modules, so adding a command touches no shared file.
"""


def before_run(args):
    """What every command needs settled before it runs: `--port auto` becomes the port of
    the one gun found, before the command asks anything (host/cliutil/port.py)."""
    from host.cliutil.port import settle

    settle(args)
