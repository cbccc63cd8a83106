"""Finding the gun and asking it who it is, and the screening answers from the form."""

from serial.tools import list_ports

from host import screening as sc
from host.cliutil.port import open_session
from host.errors import MesoError
from host.link.errors import LinkError, TransportError


def ports(probe, extra=None):
    """Every serial port with what answers there; probe(port) is `meso ports`' own (handed
    down by the command, the layer above); auto: the one gun."""
    found = [(p.device, p.description) for p in sorted(list_ports.comports())]
    found += [(p.strip(), "given") for p in (extra or "").split(",") if p.strip()]
    rows = []
    for device, desc in found:
        answer = probe(device)
        rows.append({"port": device, "description": desc if desc != "n/a" else "",
                     "answer": answer, "gun": answer.startswith("mesogun ")})
    guns = [r["port"] for r in rows if r["gun"]]
    return {"ports": rows, "auto": guns[0] if len(guns) == 1 else None,
            "note": None if len(guns) == 1 else (
                "no gun found" if not guns else "several guns: choose one")}


def identity(port):
    """The gun's identity, calibration and lock state, as `meso info` shows them."""
    if not port:
        raise MesoError("no port chosen")
    try:
        s = open_session(port)
    except (LinkError, TransportError) as e:
        raise MesoError(str(e))
    try:
        ident = s.identity
        info = ident["info"]
        return {"port": port, "device_id": info.get("device_id"), "board": info.get("board"),
                "firmware": info.get("firmware"), "protocol_version": ident["protocol_version"],
                "lock": info.get("mode", "no clinical lock on this firmware"),
                "calibration": ("plunger x%.6f (cal_ppm %d), backlash %s µm" % (
                    info["cal_ppm"] / 1e6, info["cal_ppm"], info.get("backlash_um"))
                    if "cal_ppm" in info else "not calibrated (factory figures)")}
    finally:
        s.close()


def screen(answers, screened_by=None):
    """The checklist's record from the form's answers, by host/screening's own code (the
    same questions and stop as the terminal); Contraindicated on a yes."""
    if screened_by:
        return sc.screen(out=lambda line: None, screened_by=screened_by)
    replies = iter([answers.get(key) for key, _, _ in sc.CHECKLIST])

    def ask(question):
        reply = next(replies, None)
        if reply not in ("yes", "no"):
            raise EOFError
        return reply

    return sc.screen(ask=ask, out=lambda line: None)
