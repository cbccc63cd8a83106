"""Shell completion for `meso`, generated from its own parser by shtab.

    eval "$(meso --print-completion bash)"     # or: zsh, tcsh
"""

import shtab

SHELLS = ("bash", "zsh", "tcsh")


def add_to(parser):
    """The --print-completion SHELL option (every command and option of the parser)."""
    shtab.add_argument_to(parser, ["--print-completion"],
                          help="print a shell completion script (%s)" % ", ".join(SHELLS))
