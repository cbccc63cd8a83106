"""The `meso ui` web app: pages, the JSON API and the live session's websocket."""

import asyncio
import datetime
import os

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocketDisconnect

from host import presets
from host import screening as sc
from host.errors import MesoError
from host.ui import checks, files, guns, reports, resumable
from host.ui.guard import TokenGuard
from host.ui.session import LiveSession

HERE = os.path.dirname(os.path.abspath(__file__))
RECORD_FIELDS = (("patient_ref", "Patient reference"), ("practitioner", "Practitioner"),
                 ("product", "Product"), ("product_lot", "Product lot"),
                 ("product_expiry", "Product expiry"), ("syringe_lot", "Syringe lot"),
                 ("needle_lot", "Needle lot"))
START_WAIT_S = 120  # the gun's answer to a start; bounded only so a hung gun ends the wait


class State:
    """What the server holds: the folders, the one live session and which tab controls it."""

    def __init__(self, folder, logs):
        self.folder = folder
        self.logs = logs
        self.live = None
        self.controller = None
        self.starting = False  # a start is asking the gun


def _env():
    env = Environment(loader=PackageLoader("host.ui", "templates"),
                      autoescape=select_autoescape())
    return env


def build(folder, logs, token, probe):
    """The app; probe(port) tells what answers on a port (`meso ports`' probe)."""
    state = State(folder, logs)
    env = _env()

    def page(name, request, **kw):
        kw.update(nav=name, live=state.live)
        return HTMLResponse(env.get_template(name + ".html").render(**kw))

    async def index(request):
        return page("library", request, groups=files.library(state),
                    presets=sorted(presets.PRESETS.values(), key=lambda p: p.name))

    async def editor(request):
        path = request.query_params.get("path")
        text, error = "", None
        if path:
            try:
                text = await asyncio.to_thread(files.read, files.resolve(state, path))
            except (MesoError, OSError) as e:
                error = str(e)
        return page("editor", request, path=path or "", text=text, error=error)

    async def connect(request):
        return page("connect", request)

    async def session_page(request):
        return page("session", request, checklist=sc.CHECKLIST, fields=RECORD_FIELDS,
                    groups=files.library(state), chosen=request.query_params.get("path", ""))

    def chosen_log(request):
        """The session log a page asks for (?log=), else the last session's of this server."""
        asked = request.query_params.get("log")
        if not asked and state.live is not None and state.live.finished:
            asked = state.live.log_path
        return files.in_logs(state, asked) if asked else None

    async def end_page(request):
        try:
            log = chosen_log(request)
        except MesoError as e:
            return page("end", request, log=None, error=str(e))
        info = await asyncio.to_thread(files.summary_of, log) if log else None
        day = reports.session_day(log) if log else datetime.date.today()
        return page("end", request, log=log, info=info, error=None, day=day.isoformat(),
                    schedule=reports.course.SCHEDULE)

    async def report_page(request):
        """One file of `meso report LOG --pdf` for a session log of this server: the report
        or the handout to read and print, or either as PDF (a download)."""
        kind = request.query_params.get("kind", "report")
        try:
            log = files.in_logs(state, request.query_params.get("log", ""))
            path = await asyncio.to_thread(reports.write_for, log, kind)
        except MesoError as e:
            return HTMLResponse("cannot make the %s: %s" % (kind.replace("_", " "), e), 409)
        if kind.endswith("_pdf"):
            return FileResponse(path, media_type="application/pdf",
                                filename=os.path.basename(path))
        return HTMLResponse(await asyncio.to_thread(files.read, path))

    def course_of(request):
        q = request.query_params

        def number(key, kind):
            text = (q.get(key) or "").strip()
            if not text:
                return None
            try:
                return kind(text)
            except ValueError:
                raise MesoError("course: %s %r is not a number" % (key.replace("_", " "), text))

        return reports.calendar(q.get("start", ""), q.get("time") or "10:00",
                                number("age", float), number("sessions", int),
                                number("every_days", int), q.get("maintenance", "1") == "1",
                                (q.get("title") or "").strip() or "Mesotherapy")

    async def api_course(request):
        try:
            rows, _ = course_of(request)
        except MesoError as e:
            return JSONResponse({"error": str(e)}, 400)
        return JSONResponse({"sessions": rows})

    async def course_ics(request):
        """The course calendar, as `meso course ... --ics FILE` writes it."""
        try:
            _, data = course_of(request)
        except MesoError as e:
            return JSONResponse({"error": str(e)}, 400)
        return Response(data, media_type="text/calendar",
                        headers={"content-disposition": 'attachment; filename="course.ics"'})

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
        await asyncio.to_thread(files.write, path, str(body.get("text", "")))
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

    def library_files():
        return [os.path.join(folder, n) for _, folder, names in files.library(state)
                for n in names]

    async def api_interrupted(request):
        live = state.live
        running = live.log_path if live is not None and not live.finished else None
        return JSONResponse(await asyncio.to_thread(
            resumable.interrupted, state.logs, library_files(), running))

    async def api_start(request):
        body = await request.json()
        if state.live is not None and not state.live.finished:
            return JSONResponse({"error": "a session is running; another tab controls it"}, 409)
        resume_log = str(body.get("resume") or "")
        try:
            port = str(body.get("port") or "").strip()
            if resume_log:  # `meso run --resume LOG [PROTOCOL]`: no new screening or record
                resume_log = files.in_logs(state, resume_log)
                path = files.resolve(state, body["protocol"]) if body.get("protocol") else None
                screen = None
                record = {"patient_ref": str(body.get("patient_ref") or "").strip() or None}
            else:
                path = files.resolve(state, str(body.get("protocol", "")))
            if not port:
                raise MesoError("no gun chosen: connect one first")
            if not resume_log:
                screen = guns.screen(body.get("answers") or {}, body.get("screened_by"))
                record = files.record_of(body)
        except sc.Contraindicated as e:
            return JSONResponse({"error": str(e), "screening": e.record}, 409)
        except MesoError as e:
            return JSONResponse({"error": str(e)}, 400)
        log_path = None
        if not resume_log:
            stem = os.path.splitext(os.path.basename(path))[0]
            now = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            log_path = os.path.join(state.logs, "%s-%s.session.json" % (stem, now))
        if state.starting:
            return JSONResponse({"error": "a session is starting; another tab started it"}, 409)
        live = LiveSession(path, port, log_path, screen, record,
                           bool(body.get("accept_warnings")), resume_log=resume_log or None)
        state.starting = True
        try:
            live.start()
            # The gun is asked first: a refusal (another gun, protocol or patient, a protocol
            # the gun's board rejects) is the form's message, not a session.
            await asyncio.to_thread(live.ready.wait, START_WAIT_S)
        finally:
            state.starting = False
        if live.finished and live.outcome == "not started":
            return JSONResponse({"error": live.reason}, 409)
        state.live, state.controller = live, str(body.get("tab") or "")
        return JSONResponse({"ok": True, "log": live.log_path})

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
        Route("/report", report_page), Route("/course.ics", course_ics),
        Route("/api/course", api_course),
        Route("/api/validate", api_validate, methods=["POST"]),
        Route("/api/plan", api_plan, methods=["POST"]),
        Route("/api/save", api_save, methods=["POST"]),
        Route("/api/ports", api_ports), Route("/api/gun", api_gun),
        Route("/api/session", api_session), Route("/api/interrupted", api_interrupted),
        Route("/api/session/start", api_start, methods=["POST"]),
        Route("/api/session/control", api_control, methods=["POST"]),
        WebSocketRoute("/ws/session", ws_session),
        Mount("/static", StaticFiles(directory=os.path.join(HERE, "static")), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.ui = state
    return TokenGuard(app, token)

