"""The sessions the page can take up again: the session logs in the logs folder that did not
end done, each with the library file whose protocol is the log's (its SHA-256)."""

import os

from host import protocol
from host.cliutil import session_log
from host.errors import MesoError
from host.link import resume


def library_hashes(files):
    """{SHA-256 of the core protocol: file} for the library's files that load."""
    out = {}
    for path in files:
        try:
            out.setdefault(resume.sha256(protocol.load(path).core()), path)
        except (protocol.ProtocolError, MesoError, OSError):
            continue
    return out


def interrupted(logs, files, running=None):
    """Newest first: one row per log that stopped before its end (running: the live
    session's log, left out)."""
    if not os.path.isdir(logs):
        return []
    hashes = library_hashes(files)
    rows = []
    for name in os.listdir(logs):
        path = os.path.join(logs, name)
        if not name.endswith(".session.json") or path == running:
            continue
        try:
            doc = session_log.load(path)
        except MesoError:
            continue  # not resumable: a log of another kind, or one that never began
        summ = doc.get("summary") or {}
        if summ.get("outcome") == "done":
            continue
        parts = doc["parts"]
        outcome, reason = summ.get("outcome"), summ.get("reason", "")
        if outcome == "running":  # the log of a program that stopped mid-session
            outcome, reason = "interrupted", "the laptop or the program stopped mid-session"
        rows.append({
            "log": path, "name": name, "protocol": doc["protocol"]["protocol"]["name"],
            "patient": doc.get("patient"), "device": doc["device"],
            "started": parts[0].get("started"), "stopped": parts[-1].get("ended"),
            "parts": len(parts), "shots": len(doc["shots"]),
            "planned": sum(z["points"] for z in doc["protocol"]["zone"]),
            "outcome": outcome, "reason": reason,
            "match": hashes.get(doc["protocol_sha256"]),
            "mtime": os.path.getmtime(path)})
    return sorted(rows, key=lambda r: r["mtime"], reverse=True)
