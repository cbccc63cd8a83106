"""`meso plan FILE`: points, volume per zone and in total, syringe fills, injection time."""

from host import protocol
from host.cliutil.output import add_json_argument, emit, to_stdout
from host.protocol.plan import Plan, text

COMMAND = "plan"
HELP = "show a protocol's points, volumes, syringe refills and estimated duration"


def add_arguments(p):
    p.add_argument("file", metavar="FILE", help="protocol file (.toml)")
    p.add_argument("--board", default=protocol.DEFAULT_BOARD,
                   help="board whose mechanics time the shots (default: %(default)s)")
    add_json_argument(p, "the plan")


def plan_doc(plan, warns):
    """The plan's figures for --json: the same ones the table shows."""
    keys = ("name", "mode", "preset", "points", "depth_mm", "dose_ul", "flow_ul_s", "pace_ms",
            "volume_ul", "time_s", "shot_ms", "line_flow")
    return {"plan": {
        "name": plan.name, "product": plan.product, "syringe_ml": plan.syringe_ml,
        "needle_mm": plan.needle_mm, "points": plan.points, "volume_ul": plan.volume_ul,
        "time_s": plan.time_s, "fills": plan.fills,
        "refills": [{"zone": z, "before_point": k} for z, k in plan.refill_at],
        "zones": [{k: getattr(z, k) for k in keys} for z in plan.zones]},
        "warnings": [w.format() for w in warns]}


def run(args):
    board = protocol.board_named(args.board)
    proto = protocol.checked(args.file, board)
    plan = Plan(proto, board)
    warns = protocol.warnings(proto, board)
    if args.json:
        emit(args.json, COMMAND, plan_doc(plan, warns))
    if not to_stdout(args.json):
        print(text(plan))
        for w in warns:
            print(w.format())
    return 0
