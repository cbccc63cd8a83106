"""A protocol's text as the page sees it: problems (as `meso validate`), plan and zone map."""

from host import protocol
from host.protocol.plan import Plan


def problem(d):
    """One Diagnostic as JSON: the CLI's message, at its line."""
    return {"line": d.line, "key": d.key, "message": d.message(), "severity": d.severity,
            "text": d.format()}


def problems(text, board=protocol.DEFAULT_BOARD, path="<editor>"):
    """(Protocol or None, [problem]) of TOML text: syntax, hard errors, then warnings."""
    try:
        proto = protocol.loads(text, path)
    except protocol.ProtocolError as e:
        return None, [problem(d) for d in e.diagnostics] or [
            {"line": 1, "key": "file", "message": str(e), "severity": "error", "text": str(e)}]
    errs = protocol.errors(proto, board)
    warns = [] if errs else protocol.warnings(proto, board, errors_checked=True)
    return proto, [problem(d) for d in sorted(errs + warns, key=lambda d: d.line)]


def plan_of(proto, board=protocol.DEFAULT_BOARD):
    """The plan's figures and each zone's points laid out for the zone map."""
    plan = Plan(proto, board)
    zones = []
    for zp in plan.zones:
        zones.append({"name": zp.name, "mode": zp.mode, "points": zp.points,
                      "depth_mm": zp.depth_mm, "dose_ul": zp.dose_ul,
                      "volume_ul": round(zp.volume_ul, 1), "time_s": round(zp.time_s, 1),
                      "pace_ms": zp.pace_ms, "grid": list(zp.grid) if zp.grid else None})
    return {"name": plan.name, "product": plan.product, "syringe_ml": plan.syringe_ml,
            "points": plan.points, "volume_ul": round(plan.volume_ul, 1),
            "time_s": round(plan.time_s, 1), "fills": plan.fills, "zones": zones}
