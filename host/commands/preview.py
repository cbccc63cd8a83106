"""`meso preview FILE -o plan.png`: a picture of the protocol's zones, points, depth and dose."""

from host import protocol
from host.cliutil.output import add_json_argument, emit, to_stdout
from host.errors import MesoError
from host.protocol.plan import Plan

COMMAND = "preview"
HELP = "draw a protocol's zones as a PNG: grids of points, depth and dose, totals"


def add_arguments(p):
    p.add_argument("file", metavar="FILE", help="protocol file (.toml)")
    p.add_argument("-o", "--output", default="plan.png", help="PNG to write (default: %(default)s)")
    p.add_argument("--board", default=protocol.DEFAULT_BOARD,
                   help="board whose mechanics time the shots (default: %(default)s)")
    add_json_argument(p, "the picture's name, size and zones")


def run(args):
    from host.protocol import preview

    board = protocol.board_named(args.board)
    proto = protocol.checked(args.file, board)
    try:
        w, h = preview.draw(Plan(proto, board), proto, args.output)
    except OSError as e:
        raise MesoError("cannot write %s: %s" % (args.output, e.strerror or e))
    except ValueError as e:  # matplotlib: a file name whose suffix is no image format
        raise MesoError("cannot write %s: %s (use .png, .svg or .pdf)" % (args.output, e))
    n = len(proto.zones)
    if args.json:
        emit(args.json, COMMAND, {"output": args.output, "width_px": w, "height_px": h,
                                  "zones": [z.core["name"] for z in proto.zones]})
    if not to_stdout(args.json):
            print("%s: %d x %d px, %d zone%s" % (args.output, w, h, n, "" if n == 1 else "s"))
    return 0
