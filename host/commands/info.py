"""`meso info --port P`: the gun's identity, versions, board, syringes, needles and limits."""

import json

from firmware.wire import messages as M
from host.cliutil.port import add_port_arguments, open_session
from host.cliutil.status import session_text

COMMAND = "info"
HELP = "show a device's identity, firmware and protocol versions, board and limits"
CAPS = ((M.CAP_STREAM, "stream"), (M.CAP_STORE, "store"), (M.CAP_LOG, "shot log"),
        (M.CAP_PRESSURE, "pressure sensor"))


def add_arguments(p):
    add_port_arguments(p)
    p.add_argument("--json", action="store_true", help="print the identity as JSON")


def run(args):
    s = open_session(args.port, args.baud)
    try:
        ident = s.identity
        st = s.status()
    finally:
        s.close()
    info = ident["info"]
    if args.json:
        print(json.dumps(dict(ident, status=st), indent=2, sort_keys=True))
        return 0
    print("device      %s on %s" % (info["device_id"], args.port))
    print("firmware    %s" % info["firmware"])
    print("protocol    version %d (window %d frames, payload %d bytes)" % (
        ident["protocol_version"], ident["window"], ident["max_payload"]))
    print("board       %s" % info["board"])
    if "mode" in info:  # guns with the clinical lock (firmware/gun.py)
        print("mode        %s" % info["mode"])
    if "firmware_ok" in info:  # flashed guns check their files at boot (firmware/boot.py)
        check = "ok" if info["firmware_ok"] else "MISMATCH, will not arm: %s" % "; ".join(
            info.get("firmware_problems", []))
        print("check       %s (%s, built %s)" % (check, info.get("folder"), info.get("build_time")))
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
