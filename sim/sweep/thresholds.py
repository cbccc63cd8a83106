"""The figures a sweep's summary gives, by the names `--fail-if` takes, and the parser of a
threshold on one of them (no numpy: the command line is checked before anything loads)."""

import math
import operator
import re

# name: meaning; the names --fail-if takes (docs/SIMULATION.md lists them too).
FIGURES = {
    "runs": "runs in the table",
    "failed": "runs that raised or lost their worker on both attempts",
    "incomplete": "runs that did not complete their session (ended early, or failed)",
    "shots": "shots logged",
    "faulted_shots": "shots whose record carries a fault",
    "faults": "fault events over all runs",
    "mean_dose_error_pct": "mean dose error, signed",
    "p50_dose_error_pct": "median |dose error|",
    "p99_dose_error_pct": "99th percentile of |dose error|",
    "max_dose_error_pct": "largest |dose error|",
    "drip_ul": "drip outside the skin, all runs together",
    "max_run_drip_ul": "largest drip of one run",
    "max_depth_error_mm": "largest |depth error| of a shot without fault",
    "wall_s": "wall time of this invocation",
    "runs_per_s": "runs finished per wall second in this invocation",
}
OPS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le,
       "==": operator.eq, "!=": operator.ne}
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
THRESHOLD_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*(%s)\s*" % NUMBER)


class ThresholdError(ValueError):
    pass


def threshold(text):
    """'FIGURE OP NUMBER' as (figure, op, number); ThresholdError says what is wrong."""
    m = THRESHOLD_RE.fullmatch(text)
    if not m:
        raise ThresholdError("%r: write FIGURE OP NUMBER, e.g. 'p99_dose_error_pct>2' "
                             "(OP one of %s)" % (text, " ".join(OPS)))
    name, op, num = m.groups()
    if name not in FIGURES:
        raise ThresholdError("%r: no figure %r (figures: %s)" % (text, name, ", ".join(FIGURES)))
    value = float(num)
    if not math.isfinite(value):
        raise ThresholdError("%r: %s is not a finite number" % (text, num))
    return (name, op, value)
