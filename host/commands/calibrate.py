"""`meso calibrate --port P`: guided gravimetric calibration of a gun's plunger scale.

Two runs of shots into a container on a balance (small and large shots), the weighed masses
entered at the prompts (or with --masses-mg), then the correction and the backlash estimate
are stored on the gun (atomically, validated there) and a third run checks them.
"""

import json

from firmware import auth
from firmware import board as boards
from host.argtypes import positive_float, positive_int
from host.errors import MesoError
from host.flash import calibrate, deploy, service
from host.flash.device import Device
from host.link.cli import add_port_arguments
from host.link.stream import StreamRun

COMMAND = "calibrate"
HELP = "guided gravimetric calibration: dispense, weigh, store the correction, check it"


def add_arguments(p):
    add_port_arguments(p)
    p.add_argument("--syringe-ml", type=positive_float, default=1, help="syringe on the gun (mL)")
    p.add_argument("--shots", type=positive_int, default=10, help="shots per run (default 10)")
    p.add_argument("--dose-ul", type=positive_float, default=10.0, help="small shot volume, µL")
    p.add_argument("--dose2-ul", type=positive_float, default=40.0, help="large shot volume, µL")
    p.add_argument("--density-g-ml", type=positive_float, default=1.0, help="fluid density (water: 1.0)")
    p.add_argument("--masses-mg", help="the three weighed masses, comma-separated (no prompts)")


def protocol(shots, dose_ul, syringe_ml):
    return {"protocol": {"name": "calibration", "syringe_ml": syringe_ml, "needle_mm": 4,
                         "needle_gauge": 30, "viscosity_mpas": 1},
            "zone": [{"name": "container", "mode": "point", "points": shots, "depth_mm": 1.0,
                      "dose_ul": dose_ul, "pace_ms": 1500}]}


def _masses(text):
    try:
        vals = [float(x) for x in text.split(",")]
    except ValueError:
        raise MesoError("--masses-mg: expected three numbers like 99.8,399.1,100.0") from None
    if len(vals) != 3:
        raise MesoError("--masses-mg: expected three masses (two runs and the check run)")
    return vals


def run(args):
    if not args.port:
        raise MesoError("no port given: use --port PORT (see `meso ports`) or set MESO_PORT")
    if args.syringe_ml == int(args.syringe_ml):
        args.syringe_ml = int(args.syringe_ml)
    given = _masses(args.masses_mg) if args.masses_mg else None
    s = service.SignedSession.open_signed(args.port)
    runs = [0]
    try:
        info = s.identity["info"]
        b = boards.by_name(info["board"])
        syringe = b.syringe(args.syringe_ml)
        if syringe is None:
            raise MesoError("--syringe-ml %s: board %s has %s mL syringes" % (
                args.syringe_ml, b.name, ", ".join(str(v) for v in b.syringe_sizes())))

        def dispense(dose_ul, shots, cal_ppm):
            nonlocal s
            if runs[0]:
                # Each run from a fresh boot: a gun whose stream ended DONE does not start a
                # second streamed protocol (reported to the link owner).
                s.close()
                Device.open(args.port).reboot()
                deploy.handshake(args.port)
                s = service.SignedSession.open_signed(args.port)
            runs[0] += 1
            r = StreamRun(s, protocol(shots, dose_ul, args.syringe_ml))
            r.run()
            if r.outcome != "done":
                raise MesoError("the calibration run ended: %s %s" % (r.outcome, r.reason))

        def weigh(label):
            if given is not None:
                return given.pop(0), args.density_g_ml
            text = input("weighed mass of %s, mg: " % label)
            try:
                return float(text), args.density_g_ml
            except ValueError:
                raise MesoError("%r is not a mass in mg" % text) from None

        def store(settings):
            s.send(auth.SETTINGS, (), json.dumps(settings).encode())
            service.result(s, auth.SETTINGS, "the calibration settings")

        calibrate.guided(dispense, weigh, store, info.get("cal_ppm", 1000000), syringe.bore_um,
                         args.dose_ul, args.dose2_ul, args.shots)
    finally:
        s.close()
    return 0
