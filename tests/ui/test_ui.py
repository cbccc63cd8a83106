"""The practitioner's screen in Chromium, against guns served by the simulator."""

import json
import os
import pathlib
import re
import threading
import urllib.error
import urllib.request

import pytest

from firmware.wire import record
from sim.serve import Background

WATER = {"name": "water", "syringe_ml": 3, "needle_mm": 4, "needle_gauge": 32,
         "viscosity_mpas": 1}
BAD = """[protocol]
name = "bad"
syringe_ml = 7
needle_mm = 4
needle_gauge = 32
viscosity_mpas = 1

[[zone]]
name = "forehead"
mode = "point"
points = 10
depth_mm = 1.0
dose_ul = 9999
pace_ms = 600
"""


def protocol(folder, name="short.toml", points=12, pace_ms=600, zones=1):
    body = ['[protocol]\nname = "short"\nsyringe_ml = 3\nneedle_mm = 4\nneedle_gauge = 32\n'
            'viscosity_mpas = 1\n']
    for i in range(zones):
        body.append('[[zone]]\nname = "z%d"\nmode = "point"\npoints = %d\ndepth_mm = 1.0\n'
                    'dose_ul = 10\npace_ms = %d\n' % (i, points // zones, pace_ms))
    path = folder / name
    path.write_text("\n".join(body))
    return path


def shot(page, shots_dir, name):
    page.screenshot(path=os.path.join(shots_dir, name + ".png"), full_page=True)


def choose_gun(page, server, port):
    page.goto(server.at("/connect?extra=" + port))
    page.wait_for_selector("#identity dd:has-text('sim')")


def fill_setup(page, accept_warnings=False):
    if accept_warnings:
        page.check("#accept-warnings")
    for key in ("pregnancy", "breastfeeding", "oncology", "allergy", "diabetes", "heart",
                "clotting", "infection"):
        page.check("input[name=sc-%s][value=no]" % key)
    page.fill("#rec-patient_ref", "P-0042")
    page.fill("#rec-practitioner", "Dr Test")


def start_session(page, server, path, accept_warnings=False):
    page.goto(server.at("/session?path=" + str(path)))
    fill_setup(page, accept_warnings)
    page.click("#start")
    page.wait_for_selector("#live:not([hidden])")
    assert page.locator("#setup").is_hidden()  # the live view replaces the form


def given(page):
    return int(page.inner_text("#shots"))


def wait_shots(page, n):
    page.wait_for_function("n => +document.querySelector('#shots').textContent >= n", arg=n)


def wait_state(page, name):
    page.wait_for_selector("#state:text-is('%s')" % name)


def the_log(server):
    logs = [p for p in server.logs.iterdir() if p.name.endswith(".session.json")]
    assert len(logs) == 1, logs
    return json.loads(logs[0].read_text())


def test_a_request_without_the_token_is_refused(server):
    import asyncio

    import websockets
    from websockets.exceptions import WebSocketException

    for path in ("/", "/static/app.js", "/api/session", "/edit"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(server.base + path, timeout=30)
        assert e.value.code == 403
    req = urllib.request.Request(server.base + "/api/validate", data=b"x = 1", method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=30)
    assert e.value.code == 403
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(server.base + "/?token=" + "x" * len(server.token), timeout=30)
    # The same requests with the token go through.
    assert urllib.request.urlopen(server.at("/static/app.js"), timeout=30).status == 200

    async def ws(url):
        async with websockets.connect(url, open_timeout=30) as c:
            return json.loads(await asyncio.wait_for(c.recv(), 30))

    ws_base = server.base.replace("http://", "ws://") + "/ws/session"
    with pytest.raises(WebSocketException):
        asyncio.run(ws(ws_base))


def test_validate_api_is_the_cli_checker(server, tmp_path, capsys):
    from host.cli import main

    req = urllib.request.Request(server.at("/api/validate"), data=BAD.encode(), method="POST")
    got = json.loads(urllib.request.urlopen(req, timeout=30).read())
    bad = tmp_path / "bad.toml"
    bad.write_text(BAD)
    assert main(["validate", str(bad)]) == 1
    cli = [line for line in capsys.readouterr().out.splitlines()
           if re.match(re.escape(str(bad)) + r":\d+: ", line)]
    assert not got["valid"]
    assert [p["text"].replace("<editor>", str(bad)) for p in got["problems"]] == cli
    assert {(p["line"], p["key"]) for p in got["problems"]} >= {(3, "protocol.syringe_ml"),
                                                             (13, "zone[0].dose_ul")}


def test_the_editor_shows_each_problem_at_its_line(server, page, shots_dir):
    page.goto(server.url)
    shot(page, shots_dir, "library")
    assert page.locator("a[href*='face.toml']").count() == 2  # edit, use for a session
    page.goto(server.at("/edit"))
    page.fill("#toml", BAD)
    page.wait_for_selector("#problems li[data-line='13']")
    assert "syringe_ml" in page.inner_text("#problems li[data-line='3']")
    assert "dose_ul" in page.inner_text("#problems li[data-line='13']")
    assert page.locator("#gutter .ln.error").all_inner_texts() == ["3", "13"]
    shot(page, shots_dir, "editor-bad")
    # Fixed as the practitioner types: the problems go, the plan and the zone map come.
    page.fill("#toml", BAD.replace("syringe_ml = 7", "syringe_ml = 3").replace("9999", "10"))
    page.wait_for_selector("#verdict:text-is('valid')")
    assert page.locator("#map circle.pt").count() == 10 + 3  # the points and the legend
    page.fill("#save-name", "mine.toml")
    page.click("#save")
    page.wait_for_selector("#saved:has-text('saved')")
    assert (server.folder / "mine.toml").read_text().count("syringe_ml = 3") == 1
    shot(page, shots_dir, "editor-good")


def test_a_short_session_runs_to_the_end(server, page, shots_dir, tmp_path):
    path = protocol(server.folder, points=12)
    with Background(tmp_path / "gun", head=WATER) as gun:
        choose_gun(page, server, gun.port)
        shot(page, shots_dir, "connect")
        page.goto(server.at("/session?path=" + str(path)))
        shot(page, shots_dir, "session-setup")
        start_session(page, server, path)
        wait_state(page, "done")
        page.wait_for_selector("#done:not([hidden])")
        shot(page, shots_dir, "session-done")
    assert given(page) == 12
    assert page.locator("#live-map circle.pt.given").count() == 12 + 1  # and the legend's
    log = the_log(server)
    assert log["summary"]["outcome"] == "done" and len(log["shots"]) == 12
    assert log["record"]["patient_ref"] == "P-0042"
    assert log["screening"]["method"] == "asked" and not any(log["screening"]["answers"].values())
    page.click("#end-link")
    page.wait_for_selector("#end-summary:has-text('P-0042')")
    day = log["record"]["session_start"][:10]
    the_end_page_gives_the_sessions_files(page, shots_dir, day)


def opened(page, link):
    with page.expect_popup() as pop:
        page.click(link)
    p = pop.value
    p.wait_for_load_state()
    return p


def downloaded(page, link, folder):
    with page.expect_download() as got:
        page.click(link)
    path = folder / got.value.suggested_filename
    got.value.save_as(path)
    return path


def the_end_page_gives_the_sessions_files(page, shots_dir, day):
    """The end page's report, handout (to read and print, and as PDF) and course calendar
    hold this session: its patient, practitioner, zones, and a course that begins its day."""
    import datetime

    import icalendar
    from pypdf import PdfReader

    report = opened(page, "#open-report")
    text = report.inner_text("body")
    assert "planned and delivered per zone" in text and "P-0042" in text and \
        "No fault during the session" in text
    shot(report, shots_dir, "report")
    report.close()
    handout = opened(page, "#open-handout")
    text = handout.inner_text("body")
    assert "After your treatment" in text and "Dr Test" in text and "z0" in text
    assert "P-0042" not in text  # the patient's sheet: no engineering, no record numbers
    shot(handout, shots_dir, "handout")
    handout.close()
    folder = pathlib.Path(shots_dir)
    pdf = " ".join(p.extract_text() for p in PdfReader(downloaded(page, "#report-pdf",
                                                                  folder)).pages)
    assert "P-0042" in pdf and "Dr Test" in pdf
    pdf = " ".join(p.extract_text() for p in PdfReader(downloaded(page, "#handout-pdf",
                                                                  folder)).pages)
    assert "After your treatment" in pdf and "Dr Test" in pdf
    page.fill("#course-age", "50")
    page.wait_for_function("() => document.querySelectorAll('#course-dates li').length === 7")
    shot(page, shots_dir, "end")
    cal = icalendar.Calendar.from_ical(downloaded(page, "#course-ics", folder).read_bytes())
    events = [(e.decoded("dtstart"), str(e["summary"])) for e in cal.walk("VEVENT")]
    first = datetime.date.fromisoformat(day)
    assert events[0] == (datetime.datetime.combine(first, datetime.time(10)),
                         "Mesotherapy: session 1 of 6")
    assert len(events) == 7 and events[-1][1] == "Mesotherapy: maintenance session"
    # A bad entry is the command's own message, and no calendar link is offered.
    page.fill("#course-age", "42")
    page.wait_for_selector("#course-error:has-text('no schedule for age 42')")
    assert page.locator("#course-ics").is_hidden()


def test_pause_resume_reload_and_a_second_tab_that_watches(server, page, browser, shots_dir,
                                                            tmp_path):
    from host.cli import main

    path = protocol(server.folder, points=40, pace_ms=1000)
    with Background(tmp_path / "gun", head=WATER, speed=10) as gun:
        # A paired gun (clinical lock): it takes RESUME signed only, so the page's Resume
        # must go signed (and the load, the zones) or the session stays paused.
        assert main(["pair", "--port", gun.port]) == 0
        choose_gun(page, server, gun.port)
        page.wait_for_selector("#identity dd:has-text('clinical')")
        start_session(page, server, path)
        wait_shots(page, 3)
        page.click("[data-control=pause]")
        wait_state(page, "paused")
        # Reloaded mid-session, the page picks the live session up, still in control.
        page.reload()
        page.wait_for_selector("#live:not([hidden])")
        wait_state(page, "paused")
        page.wait_for_selector("#role:text-is('controls')")
        assert page.locator("[data-control=pause]").is_disabled()  # paused already
        held = given(page)
        other = browser.new_page()
        try:
            other.goto(server.at("/session"))
            other.wait_for_selector("#role:text-is('watches')")
            assert other.locator("[data-control=resume]").is_disabled()
            shot(other, shots_dir, "session-watching")
        finally:
            other.close()
        page.wait_for_timeout(1500)  # paused: no shot meanwhile (the gun runs 10x real time)
        assert given(page) <= held + 1  # a shot under way when PAUSE came ends
        shot(page, shots_dir, "session-paused")
        page.click("[data-control=resume]")
        wait_state(page, "done")
    assert given(page) == 40
    shots = the_log(server)["shots"]
    assert sorted((s["zone"], s["index"]) for s in shots) == [(0, i) for i in range(40)]


def test_a_fault_acknowledged_and_the_session_finished(server, page, shots_dir, tmp_path):
    path = protocol(server.folder, points=20, pace_ms=800, zones=2)
    with Background(tmp_path / "gun", head=WATER, speed=10) as gun:
        world = gun.device.world
        stalled = threading.Event()

        def stall_at_shot_7():
            # The plunger driver flags a stall during the 7th shot (as sim/faults.py does).
            while len(world.insertions) < 7 and not stalled.is_set():
                stalled.wait(0.01)
            world.stuck["stall"] = True
            stalled.set()

        t = threading.Thread(target=stall_at_shot_7, daemon=True)
        t.start()
        choose_gun(page, server, gun.port)
        start_session(page, server, path)
        wait_state(page, "fault")
        page.wait_for_selector("#alert:has-text('Fault')")
        shot(page, shots_dir, "session-fault")
        world.stuck.pop("stall", None)  # cleared before the practitioner acknowledges
        page.click("[data-control=ack]")
        wait_state(page, "done")
        stalled.set()
    shots = the_log(server)["shots"]
    points = [(s["zone"], s["index"]) for s in shots]
    assert len(points) == len(set(points)), points  # no point given twice
    assert sorted(p for p, s in zip(points, shots) if not s["fault"]) == sorted(
        {(z, i) for z in range(2) for i in range(10)} - {p for p, s in zip(points, shots)
                                                           if s["fault"]})
    assert any(s["fault"] for s in shots)


def journal_points(state_dir, doc):
    """(zone, index) of every point the served gun's own journal says it gave, in the
    session's numbering (each part's records from where it began)."""
    data = (state_dir / "shots.log").read_bytes()
    parts, out = doc["parts"], []
    for k, part in enumerate(parts):
        end = parts[k + 1]["journal_start"] if k + 1 < len(parts) else len(data)
        z0, i0 = part["first"]
        for r in record.read_journal(data[part["journal_start"]:end]):
            if r["fault"] == 0 or r["delivered_nl"] > 0:
                out.append((r["zone"] + z0, r["index"] + (i0 if r["zone"] == 0 else 0)))
    return out


def test_the_gun_unplugged_mid_session_then_resumed_from_the_page(server, page, shots_dir,
                                                                  tmp_path):
    path = protocol(server.folder, points=30, pace_ms=1000)
    other = protocol(server.folder, name="other.toml", points=30, pace_ms=900)
    state_dir = tmp_path / "gun"
    gun = Background(state_dir, head=WATER, speed=10)
    try:
        choose_gun(page, server, gun.port)
        start_session(page, server, path)
        wait_shots(page, 3)
    finally:
        gun.stop()  # unplugged and without power: the pseudo-terminal goes away
    page.wait_for_selector("#alert:has-text('not answering')")
    wait_state(page, "link lost")
    shot(page, shots_dir, "session-unplugged")
    log = the_log(server)
    assert log["summary"]["outcome"] == "link lost" and len(log["shots"]) >= 3
    # The server is still there for the next session.
    assert urllib.request.urlopen(server.at("/api/session"), timeout=30).status == 200
    with Background(state_dir, head=WATER, speed=10) as gun:  # plugged in again, new port
        page.click("#resume-link")
        page.wait_for_selector("#interrupted:not([hidden]) tr[data-log]")
        choose_gun(page, server, gun.port)
        page.goto(server.at("/session?new=1"))
        page.wait_for_selector("#interrupted-list tr[data-log]")
        row = page.locator("#interrupted-list tr[data-log]")
        assert row.count() == 1 and "link lost" in row.inner_text()
        assert row.locator("select").input_value() == str(path)  # the log's protocol file
        # A new session is refused on a gun that holds the interrupted one: the way on is given.
        fill_setup(page)
        page.click("#start")
        page.wait_for_selector("#start-error:has-text('list of interrupted sessions')")
        page.fill("#rec-patient_ref", "")
        # The refusals of `meso run --resume`, as messages: another protocol, another patient.
        row.locator("select").select_option(str(other))
        row.locator("button.resume").click()
        page.wait_for_selector("#resume-error:has-text('the protocol differs')")
        row.locator("select").select_option(str(path))
        page.fill("#rec-patient_ref", "P-9999")
        row.locator("button.resume").click()
        page.wait_for_selector("#resume-error:has-text('patient P-0042')")
        shot(page, shots_dir, "session-resume-refused")
        page.fill("#rec-patient_ref", "P-0042")
        row.locator("button.resume").click()
        page.wait_for_selector("#notes:has-text('resuming at point')")
        wait_state(page, "done")
        shot(page, shots_dir, "session-resumed-done")
    assert given(page) == 30
    assert page.locator("#live-map circle.pt.given").count() == 30 + 1  # and the legend's
    doc = the_log(server)
    assert doc["summary"]["outcome"] == "done" and len(doc["parts"]) == 2
    # The gun's own journal: every point exactly once across the two parts.
    assert sorted(journal_points(state_dir, doc)) == [(0, i) for i in range(30)]


def test_a_second_syringe_refill_done_and_the_session_goes_on(server, page, tmp_path):
    body = ['[protocol]\nname = "two fills"\nsyringe_ml = 1\nneedle_mm = 4\nneedle_gauge = 30\n'
            'viscosity_mpas = 1\n']
    body += ['[[zone]]\nname = "z%d"\nmode = "point"\npoints = 3\ndepth_mm = 1.0\n'
             'dose_ul = 150\npace_ms = 2500\n' % i for i in range(3)]
    path = server.folder / "two.toml"
    path.write_text("\n".join(body))
    head = dict(WATER, syringe_ml=1, needle_gauge=30)
    with Background(tmp_path / "gun", head=head) as gun:
        choose_gun(page, server, gun.port)
        start_session(page, server, path, accept_warnings=True)
        wait_state(page, "refill")
        page.wait_for_selector("#alert:has-text('syringe empty')")
        assert given(page) == 6  # 6 x 150 µL from the first 1 mL syringe
        page.click("[data-control=refilled]")
        wait_state(page, "done")
        refills = gun.device.refills
    assert refills == 1 and given(page) == 9
    assert [s["fault"] for s in the_log(server)["shots"]] == [None] * 9


def test_a_yes_on_the_checklist_stops_before_the_gun_is_touched(server):
    path = protocol(server.folder)
    answers = {"pregnancy": "no", "breastfeeding": "no", "oncology": "yes"}
    req = urllib.request.Request(server.at("/api/session/start"), method="POST",
                                 headers={"content-type": "application/json"},
                                 data=json.dumps({"protocol": str(path), "port": "/dev/null",
                                                  "answers": answers, "tab": "t"}).encode())
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=30)
    got = json.loads(e.value.read())
    assert e.value.code == 409
    assert got["error"] == ("session stopped by screening: oncological disease is a "
                            "contraindication to mesotherapy")
    assert got["screening"]["stopped"] == "oncological disease"
    state = json.loads(urllib.request.urlopen(server.at("/api/session"), timeout=30).read())
    assert state["live"] is None
