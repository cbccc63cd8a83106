"""`meso info --port P`: the gun's identity, versions, board, syringes, needles and limits."""

from firmware.manifest import source_text
from firmware.wire import messages as M
from host.cliutil.output import add_json_argument, emit
from host.cliutil.port import add_port_arguments, open_session
from host.cliutil.status import session_text

COMMAND = "info"
HELP = "show a device's identity, firmware and protocol versions, board and limits"
CAPS = ((M.CAP_STREAM, "stream"), (M.CAP_STORE, "store"), (M.CAP_LOG, "shot log"),
        (M.CAP_PRESSURE, "pressure sensor"))


def add_arguments(p):
    add_port_arguments(p)
    add_json_argument(p, "the identity")


def run(args):
    s = open_session(args.port, args.baud)
    try:
        ident = s.identity
        st = s.status()
    finally:
        s.close()
    info = ident["info"]
    if args.json:
        emit(args.json, COMMAND, dict(ident, status=st))
        if args.json == "-":
            return 0
    print("device      %s on %s" % (info["device_id"], args.port))
    print("firmware    %s" % info["firmware"])
    if "commit" in info:  # flashed guns: the manifest's source and the build's id
        folder = info.get("folder") or ""
        print("source      %s, firmware id %s%s" % (
            source_text(info["commit"], info.get("dirty")), folder[3:15] or "?",
            ", on trial (not confirmed)" if info.get("trial") else ""))
    print("protocol    version %d (window %d frames, payload %d bytes)" % (
        ident["protocol_version"], ident["window"], ident["max_payload"]))
    print("board       %s" % info["board"])
    if "mode" in info:  # guns with the clinical lock (firmware/gun.py)
        print("mode        %s" % info["mode"])
    if "firmware_ok" in info:  # flashed guns check their files at boot (firmware/boot.py)
        check = "ok" if info["firmware_ok"] else "MISMATCH, will not arm: %s" % "; ".join(
            info.get("firmware_problems", []))
        print("check       %s (%s)" % (check, info.get("folder")))
    print("boot        %d" % st["boot"])
    if session_text(st):
        print("session     %s" % session_text(st))
    if "cal_ppm" in info:
        print("calibration plunger x%.6f (cal_ppm %d), backlash %s µm" % (
            info["cal_ppm"] / 1e6, info["cal_ppm"], info.get("backlash_um")))
    print("syringes    %s mL" % ", ".join(str(x) for x in info["syringes_ml"]))
    print("needles     %s mm" % ", ".join(str(x) for x in info["needles_mm"]))
    print("can         %s" % ", ".join(n for bit, n in CAPS if ident["caps"] & bit))
    print("limits")
    for k in sorted(info["limits"]):
        print("  %-20s %s" % (k, info["limits"][k]))
    return 0
