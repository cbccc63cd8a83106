"""The files the page may touch: the protocol library, the session logs folder, and the
clinical record's fields from a form, checked as `meso run` checks them."""

import datetime
import json
import os

from host.cliutil import record as rec
from host.errors import MesoError

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(HERE)), "examples")


def library(state):
    """The protocol files the page lists: (group, folder, [file names])."""
    out = []
    for group, folder in (("Examples", EXAMPLES), ("My protocols", state.folder)):
        names = sorted(n for n in os.listdir(folder) if n.endswith(".toml")) \
            if os.path.isdir(folder) else []
        out.append((group, folder, names))
    return out


def resolve(state, path):
    """A protocol path the page may open: inside the examples or the practitioner's folder."""
    full = os.path.realpath(path)
    for folder in (EXAMPLES, state.folder):
        if os.path.dirname(full) == os.path.realpath(folder) and full.endswith(".toml"):
            return full
    raise MesoError("%s: not a protocol of the library (examples or %s)" % (path, state.folder))


def in_logs(state, path):
    """A session log the page may open: one in the logs folder."""
    full = os.path.realpath(path)
    if os.path.dirname(full) != os.path.realpath(state.logs) or not os.path.isfile(full):
        raise MesoError("%s: no such session log in %s" % (path, state.logs))
    return full


def record_of(body):
    """The clinical record's fields, checked as `meso run` checks them (host/cliutil/record)."""
    now_local = datetime.datetime.now().astimezone()
    record = {"session_start": now_local.isoformat(timespec="seconds"), "missing": []}
    for field, option, _ in rec.FIELDS:
        value = str(body.get(field) or "").strip() or None
        if value is None:
            record[field] = None
            record["missing"].append(option)
        else:
            record[field] = rec.check(field, option, value, now_local.date())
    return record


def summary_of(log):
    """What the end page says of a session log: its summary and record."""
    try:
        with open(log, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError):
        return None
    return {"summary": doc.get("summary") or {}, "record": doc.get("record") or {},
            "parts": len(doc.get("parts") or [])}


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
