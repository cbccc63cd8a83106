"""`meso calibrate --port P`: guided gravimetric calibration of a gun's plunger scale.

Two runs of shots into a container on a balance (small and large shots), the weighed masses
entered at the prompts (or with --masses-mg), then the correction and the backlash estimate
are stored on the gun (atomically, validated there) and a third run checks them.
"""

import argparse
import json
import time

from firmware import board as boards
from firmware import calibration
from firmware.limits import GAUGE_RANGE
from firmware.units import PPM
from firmware.wire import lock as auth
from host.argtypes import non_negative_int, positive_float, positive_int
from host.cliutil.port import add_port_arguments, require_port
from host.cliutil.prompt import NoAnswer, ask
from host.errors import MesoError
from host.flash import calibrate
from host.link import signed
from host.link.errors import LinkError
from host.link.stream import StreamRun

COMMAND = "calibrate"
HELP = "guided gravimetric calibration: dispense, weigh, store the correction, check it"


def add_arguments(p):
    add_port_arguments(p)
    p.add_argument("--syringe-ml", type=positive_float, default=1, help="syringe on the gun (mL)")
    p.add_argument("--needle-gauge", type=int, default=30,
                   choices=range(GAUGE_RANGE[0], GAUGE_RANGE[1] + 1), metavar="G",
                   help="gauge of the needle fitted (default 30)")
    p.add_argument("--needle-mm", type=positive_float, default=4,
                   help="length of the needle fitted, mm (default 4)")
    p.add_argument("--shots", type=positive_int, default=10, help="shots per run (default 10)")
    p.add_argument("--dose-ul", type=positive_float, default=10.0, help="small shot volume, µL")
    p.add_argument("--dose2-ul", type=positive_float, default=40.0, help="large shot volume, µL")
    p.add_argument("--density-g-ml", type=positive_float, default=1.0, help="fluid density (water: 1.0)")
    p.add_argument("--masses-mg", help="the three weighed masses, comma-separated (no prompts)")
    p.add_argument("--backlash-um", type=_backlash,
                   help="backlash measured with a dial gauge, stored instead of the estimate")


def _backlash(text):
    lo, hi = calibration.KEYS["backlash_um"]
    v = non_negative_int(text)
    if v > hi:
        raise argparse.ArgumentTypeError("%d µm is outside %d..%d" % (v, lo, hi))
    return v


def _masses(text):
    try:
        vals = [float(x) for x in text.split(",")]
    except ValueError:
        raise MesoError("--masses-mg: expected three numbers like 99.8,399.1,100.0") from None
    if len(vals) != 3:
        raise MesoError("--masses-mg: expected three masses (two runs and the check run)")
    return vals


def run(args):
    require_port(args.port)
    if args.syringe_ml == int(args.syringe_ml):
        args.syringe_ml = int(args.syringe_ml)
    given = _masses(args.masses_mg) if args.masses_mg else None
    s = signed.SignedSession.open_signed(args.port)
    stored = []
    try:
        info = s.identity["info"]
        b = boards.by_name(info["board"])
        syringe = b.syringe(args.syringe_ml)
        if syringe is None:
            raise MesoError("--syringe-ml %s: board %s has %s mL syringes" % (
                args.syringe_ml, b.name, ", ".join(str(v) for v in b.syringe_sizes())))
        if args.needle_mm not in b.needle_lengths():
            raise MesoError("--needle-mm %g: board %s takes %s mm needles" % (
                args.needle_mm, b.name, ", ".join("%g" % v for v in b.needle_lengths())))
        if args.needle_mm == int(args.needle_mm):
            args.needle_mm = int(args.needle_mm)
        in_use_um = info.get("backlash_um", 0)  # the gun reports the figure its relief uses

        def dispense(dose_ul, shots, cal_ppm):
            def tared(zone):
                if given is None:
                    ask(s, "priming shot done: container on the balance and tared? "
                           "press Enter to go on ")

            r = StreamRun(s, calibrate.protocol(shots, dose_ul, args.syringe_ml,
                                                args.needle_gauge, args.needle_mm),
                          before_zone=tared, lookahead=1)
            r.run()
            if r.outcome != "done":
                raise MesoError("the calibration run ended: %s %s" % (r.outcome, r.reason))

        def weigh(label):
            if given is not None:
                return given.pop(0), args.density_g_ml
            text = ask(s, "weighed mass of %s, mg: " % label)
            try:
                return float(text), args.density_g_ml
            except ValueError:
                raise MesoError("%r is not a mass in mg" % text) from None

        def store(settings):
            settings["cal_time"] = int(time.time())
            s.send(auth.SETTINGS, (), json.dumps(settings).encode())
            signed.result(s, auth.SETTINGS, "the calibration settings")
            stored.append(settings)

        calibrate.guided(dispense, weigh, store, info.get("cal_ppm", PPM), syringe.bore_um,
                         args.dose_ul, args.dose2_ul, args.shots, backlash_in_use_um=in_use_um,
                         measured_backlash_um=args.backlash_um)
    except NoAnswer as e:
        raise MesoError("%s; %s" % (e, "the correction is stored, the check run was not "
                                        "weighed" if stored else "nothing stored")) from None
    except LinkError as e:
        raise MesoError(str(e)) from None
    finally:
        s.close()
    return 0
