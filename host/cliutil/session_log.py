"""The session log of `meso run`: kept on disk as the session goes, resumable.

The log is rewritten (atomically: temporary file, then rename) after every shot, so a
laptop that crashes leaves a log of every shot it had heard of. A session runs in parts
(`meso run --resume LOG` adds one); each part records where it began in the session
("first": zone and point), where its records begin in the gun's journal, and how it ended.
"shots" holds every shot of every part in the session's numbering.
"""

import datetime
import json
import os

from host.errors import MesoError
from host.link import resume
from host.link.stream import summary


def now_text():
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def new(core, device_id, screen=None, accepted=()):
    return {"summary": summary(core, [], "running"), "shots": [], "protocol": core,
            "protocol_sha256": resume.sha256(core), "device": device_id,
            "screening": screen, "accepted_warnings": list(accepted), "parts": []}


def add_part(doc, first, journal_start, part_core):
    part = {"started": now_text(), "first": list(first), "journal_start": journal_start,
            "protocol_sha256": resume.sha256(part_core), "outcome": "running", "reason": "",
            "shots": 0}
    doc["parts"].append(part)
    return part


def refresh(doc, outcome, reason=""):
    summ = summary(doc["protocol"], doc["shots"], outcome, reason)
    summ["device"] = doc["device"]
    summ["parts"] = len(doc["parts"])
    doc["summary"] = summ
    return summ


def save(path, doc):
    """Write doc to path whole or not at all (a crash mid-write leaves the last good log)."""
    tmp = path + ".tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        raise MesoError("%s: cannot write: %s" % (path, e.strerror or e))


def load(path):
    """A session log to resume, or the one-line reason it cannot be."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as e:
        raise MesoError("cannot resume %s: %s" % (path, e.strerror or e))
    except ValueError as e:
        raise MesoError("cannot resume %s: not JSON (%s)" % (path, e))
    if not isinstance(doc, dict) or not all(k in doc for k in ("protocol", "shots", "device")):
        raise MesoError("cannot resume %s: not a session log of `meso run` (it needs "
                        "protocol, shots and device)" % path)
    if resume.sha256(doc["protocol"]) != doc.get("protocol_sha256", resume.sha256(doc["protocol"])):
        raise MesoError("cannot resume %s: its protocol does not match its recorded SHA-256 "
                        "(the log was changed)" % path)
    if not doc.get("parts"):
        raise MesoError("cannot resume %s: it records no part of a session (written by an "
                        "older meso): the gun's journal cannot be matched to it" % path)
    doc["protocol_sha256"] = resume.sha256(doc["protocol"])
    return doc
