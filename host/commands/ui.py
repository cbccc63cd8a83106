"""`meso ui`: the practitioner's screen, a local web page for the whole session."""

import os
import sys
import webbrowser

from host.argtypes import positive_int
from host.errors import MesoError

COMMAND = "ui"
HELP = "open the practitioner's screen: protocols, gun, screening and the live session"
LOOPBACK = "127.0.0.1"


def add_arguments(p):
    p.add_argument("--no-browser", action="store_true", help="print the URL, do not open it")
    p.add_argument("--listen", default=LOOPBACK, metavar="HOST",
                   help="address to listen on (default %(default)s; anything else needs "
                        "--allow-remote)")
    p.add_argument("--allow-remote", action="store_true",
                   help="let another computer reach the page (with the token); not for a clinic")
    p.add_argument("--http-port", type=positive_int, default=None, metavar="N",
                   help="TCP port of the page (default: a free one)")
    p.add_argument("--folder", default=os.path.join(os.path.expanduser("~"), "mesogun"),
                   help="the practitioner's protocols (default: %(default)s)")
    p.add_argument("--logs", default=".", help="folder for session logs (default: here)")


def _listen(host, port):
    """The page's socket, bound and listening before its URL is printed (a browser or a
    script given the URL is queued until the server takes it)."""
    import socket

    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        s.bind((host, port or 0))
    except OSError as e:
        s.close()
        raise MesoError("cannot listen on %s:%s: %s" % (host, port or 0, e.strerror or e))
    s.listen(64)
    return s


def run(args):
    try:
        import uvicorn

        from host.ui import app as ui_app
        from host.ui.guard import new_token
    except ImportError as e:
        raise MesoError("meso ui needs the ui extra: pip install 'mesogun[ui]' (%s)" % e.name)
    if args.listen != LOOPBACK and not args.allow_remote:
        raise MesoError("--listen %s: the page listens on %s only unless --allow-remote is "
                        "given" % (args.listen, LOOPBACK))
    if not os.path.isdir(args.logs):
        raise MesoError("--logs %s: no such folder (session logs go there)" % args.logs)
    if args.listen != LOOPBACK:
        print("meso ui: WARNING: listening on %s: other computers on the network can reach "
              "this page (they still need the token)" % args.listen, file=sys.stderr)
    sock = _listen(args.listen, args.http_port)
    port = sock.getsockname()[1]
    token = new_token()
    from host.commands.ports import probe

    app = ui_app.build(os.path.abspath(args.folder), os.path.abspath(args.logs), token, probe)
    url = "http://%s:%d/?token=%s" % (args.listen, port, token)
    print(url, flush=True)
    if not args.no_browser:
        webbrowser.open(url)
    config = uvicorn.Config(app, log_level="warning", ws="websockets-sansio")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return 0
