"""The runs of a sweep: protocols × dose models × parameter values × seeds, one job each.

A job is a plain dict (it travels to a pool process or a Dask worker by pickle). Parameter
names and the values they allow are sim/params' own: every value is put through
sim.params.check() here, before anything runs, so a name or value the simulator would
refuse is refused up front, with its message.
"""

import hashlib
import itertools
import json
import re

from sim import params as sim_params

DOSING = ("naive", "compensated")
SEEDS_RE = re.compile(r"\s*(\d+)\s*(?:-\s*(\d+)\s*)?")
MAX_SEEDS = 1000000


class SweepError(ValueError):
    """A sweep that cannot run as asked: the message says what, and what is allowed."""


def seeds(text):
    """'A-B' (inclusive) or 'N' as a list of seeds."""
    m = SEEDS_RE.fullmatch(text)
    if not m:
        raise SweepError("--seeds %r: write A-B (e.g. 1-20) or one seed N" % text)
    a = int(m.group(1))
    b = int(m.group(2)) if m.group(2) is not None else a
    if b < a:
        raise SweepError("--seeds %r: the last seed %d is below the first %d" % (text, b, a))
    if b - a + 1 > MAX_SEEDS:
        raise SweepError("--seeds %r: at most %d seeds in one sweep" % (text, MAX_SEEDS))
    return list(range(a, b + 1))


def param_values(name, values):
    """The values as the simulator takes them (sim.params.check), in the order given."""
    out = []
    for v in values:
        try:
            checked = sim_params.check({name: v})[name]
        except sim_params.ParamError as e:
            raise SweepError("--param %s: %s" % (name, e))
        if checked in out:
            raise SweepError("--param %s: the value %r is given twice" % (name, v))
        out.append(checked)
    if not out:
        raise SweepError("--param %s: give at least one value" % name)
    return out


def param_table():
    """(name, default, meaning) of every parameter sim/params knows."""
    return [(name, spec[0], spec[1] if len(spec) > 1 else "")
            for name, spec in sorted(sim_params.DEFAULTS.items())]


def protocol_sha(proto):
    """Identity of a protocol's content, so a resumed sweep notices an edited file."""
    text = json.dumps(proto, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Grid:
    """Every combination, in a fixed order; the options every run shares."""

    def __init__(self, protocols, seed_list, dosing=("compensated",), params=None,
                 exact=False, firmware="cpython", faults=()):
        self.protocols = list(protocols)  # (file as given, core-form protocol)
        files = [f for f, _ in self.protocols]
        for f in files:
            if files.count(f) > 1:
                raise SweepError("protocol %s is given twice" % f)
        self.seeds = list(seed_list)
        self.dosing = list(dosing)
        self.params = dict(params or {})  # name -> checked values
        self.names = sorted(self.params)
        self.exact = bool(exact)
        self.firmware = firmware
        self.faults = list(faults)

    def shared(self):
        """What every run has in common, stored with the table and checked on --resume."""
        return {"params": self.names, "exact": self.exact, "firmware": self.firmware,
                "faults": self.faults}

    def __len__(self):
        n = len(self.protocols) * len(self.dosing) * len(self.seeds)
        for name in self.names:
            n *= len(self.params[name])
        return n

    def jobs(self):
        shas = [protocol_sha(p) for _, p in self.protocols]
        values = [self.params[n] for n in self.names]
        for (path, proto), sha in zip(self.protocols, shas):
            for dosing in self.dosing:
                for combo in itertools.product(*values):
                    for seed in self.seeds:
                        yield {
                            "file": path, "proto": proto, "sha": sha, "seed": seed,
                            "dosing": dosing, "params": dict(zip(self.names, combo)),
                            "exact": self.exact, "firmware": self.firmware,
                            "faults": list(self.faults),
                        }


def key(job):
    """What tells one run from another in the tables."""
    return (job["file"], job["sha"], job["dosing"],
            tuple(job["params"][n] for n in sorted(job["params"])), job["seed"])


def describe(job):
    """A run in words, for messages: file, dose model, parameters, seed."""
    ps = " ".join("%s=%s" % (n, job["params"][n]) for n in sorted(job["params"]))
    return "%s %s%s seed %d" % (job["file"], job["dosing"], " " + ps if ps else "", job["seed"])
