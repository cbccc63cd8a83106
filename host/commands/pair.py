"""`meso pair --port P`: share a fresh device key with a gun once, engineer present.

Afterwards the gun is in clinical mode: commands that arm it or change its protocol,
settings or firmware must be signed with the key, which only this laptop holds. Re-pairing
or unpairing a paired gun needs the current key (maintenance is itself a signed command).
"""

import hashlib

from firmware.wire import files
from host.cliutil.port import add_port_arguments, require_port
from host.errors import MesoError
from host.flash import deploy
from host.flash.device import Device
from host.link import keys

COMMAND = "pair"
HELP = "pair this laptop with a gun (clinical mode), or --unpair it (open mode)"
DATA = files.DATA


def add_arguments(p):
    add_port_arguments(p, repl=True)
    p.add_argument("--unpair", action="store_true",
                   help="remove the gun's key: back to open mode (needs the current key)")


def run(args):
    require_port(args.port)
    dev = Device.open(args.port)
    try:
        device_id = dev.read(DATA + files.ID_FILE)
        if not device_id:
            raise MesoError("the gun on %s has no device id yet: flash it (meso flash) first"
                            % args.port)
        key_file = DATA + files.KEY_FILE
        if args.unpair:
            dev.run("import os\ntry:\n os.remove(%r)\nexcept OSError:\n pass" % key_file)
        else:
            key = keys.new_key()
            dev.write(key_file + ".tmp", key)
            got = dev.hashes([key_file + ".tmp"])[key_file + ".tmp"]
            if got != hashlib.sha256(key).hexdigest():
                raise MesoError("the key did not reach the gun intact; nothing changed")
            dev.run("import os\nos.rename(%r, %r)" % (key_file + ".tmp", key_file))
            path = keys.save(device_id, key)
        dev.reboot()
    except BaseException:
        dev.close()
        raise
    info = deploy.handshake(args.port)["info"]
    want = "open" if args.unpair else "clinical"
    if info.get("mode") != want:
        raise MesoError("the gun reports mode %s after pairing, not %s" % (info.get("mode"), want))
    if args.unpair:
        print("gun %s unpaired: open mode" % device_id)
    else:
        print("gun %s paired: clinical mode; key in %s" % (device_id, path))
    return 0
