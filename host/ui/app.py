"""The `meso ui` web app: pages, the JSON API and the live session's websocket."""

import asyncio
import datetime
import os

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocketDisconnect

from host import presets
from host import screening as sc
from host.cliutil import record as rec
from host.errors import MesoError
from host.ui import checks, guns, reports
from host.ui.guard import TokenGuard
from host.ui.session import LiveSession

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(HERE)), "examples")
RECORD_FIELDS = (("patient_ref", "Patient reference"), ("practitioner", "Practitioner"),
                 ("product", "Product"), ("product_lot", "Product lot"),
                 ("product_expiry", "Product expiry"), ("syringe_lot", "Syringe lot"),
                 ("needle_lot", "Needle lot"))


class State:
    """What the server holds: the folders, the one live session and which tab controls it."""

    def __init__(self, folder, logs):
        self.folder = folder
        self.logs = logs
        self.live = None
        self.controller = None


def _env():
    env = Environment(loader=PackageLoader("host.ui", "templates"),
                      autoescape=select_autoescape())
    return env


def library(state):
    """The protocol files the page lists: (group, folder, [file names])."""
    out = []
    for group, folder in (("Examples", EXAMPLES), ("My protocols", state.folder)):
        names = sorted(n for n in os.listdir(folder) if n.endswith(".toml")) \
            if os.path.isdir(folder) else []
        out.append((group, folder, names))
    return out


def _resolve(state, path):
    """A protocol path the page may open: inside the examples or the practitioner's folder."""
    full = os.path.realpath(path)
    for folder in (EXAMPLES, state.folder):
        if os.path.dirname(full) == os.path.realpath(folder) and full.endswith(".toml"):
            return full
    raise MesoError("%s: not a protocol of the library (examples or %s)" % (path, state.folder))


def _read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def _write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def build(folder, logs, token, probe):
    """The app; probe(port) tells what answers on a port (`meso ports`' probe)."""
    state = State(folder, logs)
    env = _env()

    def page(name, request, **kw):
        kw.update(nav=name, live=state.live)
        return HTMLResponse(env.get_template(name + ".html").render(**kw))

    async def index(request):
        return page("library", request, groups=library(state),
                    presets=sorted(presets.PRESETS.values(), key=lambda p: p.name))

    async def editor(request):
        path = request.query_params.get("path")
        text, error = "", None
        if path:
            try:
                text = await asyncio.to_thread(_read, _resolve(state, path))
            except (MesoError, OSError) as e:
                error = str(e)
        return page("editor", request, path=path or "", text=text, error=error)

    async def connect(request):
        return page("connect", request)

    async def session_page(request):
        return page("session", request, checklist=sc.CHECKLIST, fields=RECORD_FIELDS,
                    groups=library(state), chosen=request.query_params.get("path", ""))

    async def end_page(request):
        return page("end", request)

    async def report_page(request):
        """`meso report`'s output for a session log this server wrote."""
        log = os.path.realpath(request.query_params.get("log", ""))
        if os.path.dirname(log) != os.path.realpath(state.logs) or not os.path.isfile(log):
            return HTMLResponse("no such session log here", 404)
        html = os.path.splitext(log)[0] + ".report.html"
        try:
            await asyncio.to_thread(reports.write_for, log, html)
            return HTMLResponse(await asyncio.to_thread(_read, html))
        except MesoError as e:
            return HTMLResponse("cannot make the report: %s" % e, 409)

    async def api_validate(request):
        text = (await request.body()).decode("utf-8", errors="replace")
        _, found = checks.problems(text)
        return JSONResponse({"problems": found,
                             "valid": not any(p["severity"] == "error" for p in found)})

    async def api_plan(request):
        text = (await request.body()).decode("utf-8", errors="replace")
        proto, found = checks.problems(text)
        if proto is None or any(p["severity"] == "error" for p in found):
            return JSONResponse({"problems": found, "plan": None})
        return JSONResponse({"problems": found, "plan": checks.plan_of(proto)})

    async def api_save(request):
        body = await request.json()
        name = os.path.basename(str(body.get("name", "")))
        if not name.endswith(".toml") or name.startswith("."):
            return JSONResponse({"error": "a protocol file name ends in .toml"}, 400)
        os.makedirs(state.folder, exist_ok=True)
        path = os.path.join(state.folder, name)
        await asyncio.to_thread(_write, path, str(body.get("text", "")))
        return JSONResponse({"path": path})

    async def api_ports(request):
        return JSONResponse(await asyncio.to_thread(guns.ports, probe,
                                                       request.query_params.get("extra")))

    async def api_gun(request):
        port = request.query_params.get("port", "")
        try:
            return JSONResponse(await asyncio.to_thread(guns.identity, port))
        except MesoError as e:
            return JSONResponse({"error": str(e)}, 409)

    async def api_start(request):
        body = await request.json()
        if state.live is not None and not state.live.finished:
            return JSONResponse({"error": "a session is running; another tab controls it"}, 409)
        try:
            path = _resolve(state, str(body.get("protocol", "")))
            port = str(body.get("port") or "").strip()
            if not port:
                raise MesoError("no gun chosen: connect one first")
            screen = guns.screen(body.get("answers") or {}, body.get("screened_by"))
        except sc.Contraindicated as e:
            return JSONResponse({"error": str(e), "screening": e.record}, 409)
        except MesoError as e:
            return JSONResponse({"error": str(e)}, 400)
        # The clinical record's fields, checked as `meso run` checks them (host/cliutil/record).
        now_local = datetime.datetime.now().astimezone()
        record = {"session_start": now_local.isoformat(timespec="seconds"), "missing": []}
        try:
            for field, option, _ in rec.FIELDS:
                value = str(body.get(field) or "").strip() or None
                if value is None:
                    record[field] = None
                    record["missing"].append(option)
                else:
                    record[field] = rec.check(field, option, value, now_local.date())
        except MesoError as e:
            return JSONResponse({"error": str(e)}, 400)
        stem = os.path.splitext(os.path.basename(path))[0]
        now = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        log_path = os.path.join(state.logs, "%s-%s.session.json" % (stem, now))
        state.live = LiveSession(path, port, log_path, screen, record,
                                 bool(body.get("accept_warnings")))
        state.controller = str(body.get("tab") or "")
        state.live.start()
        return JSONResponse({"ok": True, "log": log_path})

    async def api_control(request):
        body = await request.json()
        live = state.live
        if live is None:
            return JSONResponse({"error": "no session"}, 409)
        if str(body.get("tab") or "") != state.controller:
            return JSONResponse({"error": "another tab controls this session; this one "
                                          "watches"}, 403)
        try:
            live.command(str(body.get("name")))
        except MesoError as e:
            return JSONResponse({"error": str(e)}, 409)
        return JSONResponse({"ok": True})

    async def api_session(request):
        live = state.live
        if live is None:
            return JSONResponse({"live": None})
        return JSONResponse({"live": live.snapshot(), "controller": state.controller})

    async def ws_session(ws):
        """Every event of the live session from ?since=N on, as they come; the page sends
        nothing, so a message from it (or its going) ends the stream."""
        await ws.accept()
        seen = int(ws.query_params.get("since", "0") or 0)
        gone = asyncio.ensure_future(ws.receive())
        following = state.live
        try:
            while not gone.done():
                live = state.live
                if live is not following:  # a new session: its events from the first
                    following, seen = live, 0
                if live is None or (live.finished and len(live.log) <= seen):
                    await asyncio.wait([gone], timeout=0.3)
                    continue
                new = await asyncio.to_thread(live.wait, seen, 0.3)
                if new:
                    seen += len(new)
                    await ws.send_json({"events": new, "controller": state.controller})
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            gone.cancel()

    routes = [
        Route("/", index), Route("/edit", editor), Route("/connect", connect),
        Route("/session", session_page), Route("/end", end_page),
        Route("/report", report_page),
        Route("/api/validate", api_validate, methods=["POST"]),
        Route("/api/plan", api_plan, methods=["POST"]),
        Route("/api/save", api_save, methods=["POST"]),
        Route("/api/ports", api_ports), Route("/api/gun", api_gun),
        Route("/api/session", api_session),
        Route("/api/session/start", api_start, methods=["POST"]),
        Route("/api/session/control", api_control, methods=["POST"]),
        WebSocketRoute("/ws/session", ws_session),
        Mount("/static", StaticFiles(directory=os.path.join(HERE, "static")), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.ui = state
    return TokenGuard(app, token)

