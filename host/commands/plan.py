"""`meso plan FILE`: points, volume per zone and in total, syringe fills, injection time."""

from host import protocol
from host.protocol.plan import Plan, text

COMMAND = "plan"
HELP = "show a protocol's points, volumes, syringe refills and estimated duration"


def add_arguments(p):
    p.add_argument("file", metavar="FILE", help="protocol file (.toml)")
    p.add_argument("--board", default=protocol.DEFAULT_BOARD,
                   help="board whose mechanics time the shots (default: %(default)s)")


def run(args):
    board = protocol.board_named(args.board)
    proto = protocol.checked(args.file, board)
    print(text(Plan(proto, board)))
    for w in protocol.warnings(proto, board):
        print(w.format())
    return 0
