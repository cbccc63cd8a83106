"""`meso demo`: a virtual gun on a pseudo-terminal runs the facial protocol over real serial."""

import argparse
import datetime
import os
import subprocess
import sys
import tempfile

from host.cliutil import protocol_file, record
from host.commands.run import stream
from host.errors import MesoError

COMMAND = "demo"
HELP = "start a virtual device and stream the example facial protocol to it"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLE = os.path.join(ROOT, "examples", "face.toml")


def add_arguments(p):
    p.add_argument("--speed", type=float, default=100.0,
                   help="the virtual device runs this much faster than real time (default 100)")
    p.add_argument("--protocol", default=EXAMPLE, help="protocol file (default: %(default)s)")
    p.add_argument("--json", metavar="OUT", help="also write the summary and shots as JSON")
    p.add_argument("--verbose", "-v", action="store_true", help="one line per shot")


def start_device(speed, state_dir, extra=()):
    """A `meso sim serve` child process and its port path (its first line of output)."""
    cmd = [sys.executable, "-m", "host.cli", "sim", "serve", "--speed", str(speed),
           "--state", state_dir] + list(extra)
    # its own session: Ctrl-C reaches meso alone, which then sends ABORT over the link
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                            start_new_session=True)
    port = proc.stdout.readline().strip()
    if not port:
        proc.kill()
        raise MesoError("the virtual device did not start")
    return proc, port


def demo_record(path):
    """The clinical record of the demo: a simulated patient, marked as such."""
    head = protocol_file.load(path).head
    given = argparse.Namespace(**{"record_" + f: v for f, v in (
        ("patient_ref", "DEMO-0001 (simulated)"), ("practitioner", "demo"),
        ("product_lot", "DEMO-LOT"), ("syringe_lot", "DEMO-SYR"), ("needle_lot", "DEMO-NDL"),
        ("product_expiry", (datetime.date.today() + datetime.timedelta(days=365)).isoformat()),
        ("product", head.get("product") or "demo fluid"))})
    return record.collect(given, head, tty=False)


def run(args):
    clinical = demo_record(args.protocol)
    with tempfile.TemporaryDirectory(prefix="mesogun-demo-") as tmp:
        proc, port = start_device(args.speed, os.path.join(tmp, "device"),
                                  ["--fitted", args.protocol])
        try:
            print("virtual device on %s (%gx real time)" % (port, args.speed))
            stream(args.protocol, port, 115200, screened_by="demo: simulated patient",
                   log_path=os.path.join(tempfile.gettempdir(), "mesogun-demo.session.json"),
                   json_out=args.json, clinical=clinical, verbose=args.verbose)
        finally:
            proc.terminate()
            proc.wait(5)
    return 0
