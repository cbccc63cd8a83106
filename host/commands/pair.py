"""`meso pair --port P`: pair this laptop with a gun, engineer present, in two phases.

The gun stages a fresh key and sends it (PAIR_BEGIN, PAIR_KEY); this laptop keeps it as
<id>.key.new and proves it with PAIR_CONFIRM signed under it; only then the gun commits it,
and the laptop promotes its copy. A cut anywhere leaves the gun unpaired or paired to the key
this laptop holds (the gun's identity names its key). Afterwards the gun is in clinical mode:
what can make it move or change it must be signed with the key. Re-pairing or unpairing a
paired gun needs the current key; a lost laptop is the physical recovery (docs/DEVICE.md).
"""

from firmware.wire import files
from firmware.wire import lock as auth
from firmware.wire import messages as M
from host.cliutil.port import add_port_arguments, require_port
from host.errors import MesoError
from host.flash import deploy
from host.flash.device import Device
from host.link import keys
from host.link.session import SILENCE_US, Session
from host.link.signed import Signer, _no_key, _refused, laptop_key, result

COMMAND = "pair"
HELP = "pair this laptop with a gun (clinical mode), or --unpair it (open mode)"
DATA = files.DATA


def add_arguments(p):
    add_port_arguments(p)  # pairing speaks the link: auto finds the gun by its handshake
    p.add_argument("--unpair", action="store_true",
                   help="remove the gun's key: back to open mode (needs the current key)")


def _staged_key(s):
    """The key the gun staged (PAIR_KEY), or the gun's refusal."""
    while True:
        mid, _, payload = s.wait((M.PAIR_KEY, auth.AUTH_RESULT), SILENCE_US, "staged key")
        if mid == M.PAIR_KEY:
            return M.unpack(mid, payload)[1]["key"]
        f = M.unpack(mid, payload)[1]
        if f["for_type"] == M.PAIR_BEGIN:
            raise _refused(f, "pairing")


def pair(port):
    """Both phases with the gun on port: (device id, the laptop's key path)."""
    s = Session.open(port)
    try:
        return pair_with(s, port)
    finally:
        s.close()


def pair_with(s, port):
    """Both phases over an open session."""
    info = s.identity["info"]
    device_id = info["device_id"]
    mode = info.get("mode")
    if mode is None:
        raise MesoError("the gun on %s runs firmware without the clinical lock" % port)
    if mode == "locked":
        raise MesoError("gun %s is locked: a key file on it is damaged; only the physical "
                        "recovery opens it (docs/DEVICE.md)" % device_id)
    key = laptop_key(info)
    if mode == "clinical" and key is None:
        raise _no_key(device_id)
    signer = Signer(s, key or bytes(auth.KEY_BYTES))
    state = signer.begin()
    if state == auth.PAIR_PAIRED:
        signer.send(M.PAIR_BEGIN)  # re-pairing: the current key asks for it
    else:
        s.send(M.PAIR_BEGIN)  # open, or a staged key nobody confirmed: still unpaired
    new = _staged_key(s)
    keys.save_staged(device_id, new)
    signer.key = new
    signer.begin()  # the session's challenge (an open gun made none before staging)
    signer.send(M.PAIR_CONFIRM)
    result(s, M.PAIR_CONFIRM, "pairing")
    path = keys.promote(device_id)
    signer.send(M.AUTH_END)
    s.flush()
    return device_id, path


def unpair(port):
    dev = Device.open(port)  # maintenance, signed with this laptop's key
    try:
        device_id = dev.read(DATA + files.ID_FILE)
        names = [DATA + n for n in (files.KEY_FILE, files.STAGED_FILE)]
        dev.run("import os\nfor n in %r:\n try:\n  os.remove(n)\n except OSError:\n  pass"
                % (names,))
        dev.reboot()
    except BaseException:
        dev.close()
        raise
    return device_id


def run(args):
    require_port(args.port)
    if args.unpair:
        device_id = unpair(args.port)
        path = None
    else:
        device_id, path = pair(args.port)
    info = deploy.handshake(args.port)["info"]
    want = "open" if args.unpair else "clinical"
    if info.get("mode") != want:
        raise MesoError("the gun reports mode %s after pairing, not %s" % (info.get("mode"), want))
    if args.unpair:
        print("gun %s unpaired: open mode" % device_id)
    else:
        print("gun %s paired: clinical mode; key in %s" % (device_id, path))
    return 0
