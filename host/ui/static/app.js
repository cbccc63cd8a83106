// meso ui: the page side. Plain JS module, no build step, nothing from the network but this server.

const $ = (sel) => document.querySelector(sel);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]));

// A tab keeps its id across reloads (sessionStorage): the tab that started a session controls it.
const TAB = sessionStorage.getItem("meso-tab") || (() => {
  const id = crypto.getRandomValues(new Uint32Array(2)).join("-");
  sessionStorage.setItem("meso-tab", id);
  return id;
})();

async function post(url, body, json = true) {
  const r = await fetch(url, {method: "POST", body: json ? JSON.stringify(body) : body,
    headers: {"content-type": json ? "application/json" : "text/plain"}});
  return [r.status, await r.json()];
}

function gunBadge() {
  const port = localStorage.getItem("meso-port");
  const b = $("#gun-badge");
  if (b) b.textContent = port ? "gun: " + (localStorage.getItem("meso-gun") || port) : "no gun chosen";
  const s = $("#session-gun");
  if (s) s.textContent = port ? (localStorage.getItem("meso-gun") || port) + " on " + port : "none chosen";
}

// ---- zone map: one panel per zone; a point-only zone is a count, never an invented grid ----
function zoneMap(el, zones) {
  // Gridded zones share one scale in mm (a scale bar shows it); a zone given as a count is a row of points in order.
  const seq = 18, widest = Math.max(1, ...zones.filter((z) => z.grid).map((z) => (z.grid[1] - 1) * z.grid[2]));
  const pxPerMm = Math.min(8, 500 / widest);
  let y = 10, w = 560;
  const parts = [];
  const maxDose = Math.max(...zones.map((z) => z.dose_ul));
  zones.forEach((z, zi) => {
    const cols = z.grid ? z.grid[1] : Math.min(z.points, 24);
    const pitch = z.grid ? z.grid[2] * pxPerMm : seq;
    const rows = Math.ceil(z.points / cols);
    const r = Math.min(pitch / 2 - 1, 3 + 4.5 * Math.sqrt(z.dose_ul / maxDose));
    parts.push(`<text x="8" y="${y + 12}" class="zname">${esc(z.name)}</text>`);
    parts.push(`<text x="8" y="${y + 28}" class="zinfo">${z.points} points · ${z.dose_ul} µL at ${z.depth_mm} mm` +
      (z.grid ? ` · grid ${z.grid[0]}×${z.grid[1]} at ${z.grid[2]} mm (to scale)` : " · no grid given: points shown in order") +
      (z.time_s !== undefined ? ` · ${clock(z.time_s)}` : "") + `</text>`);
    y += 38;
    for (let k = 0; k < z.points; k++) {
      const cx = 16 + (k % cols) * pitch, cy = y + 10 + Math.floor(k / cols) * pitch;
      parts.push(`<circle id="p-${zi}-${k}" class="pt" cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${r.toFixed(1)}"/>`);
    }
    w = Math.max(w, 40 + cols * pitch);
    y += (rows - 1) * pitch + 30;
  });
  const bar = 10 * pxPerMm;
  const legend = `<g class="legend"><circle class="pt" cx="16" cy="${y + 6}" r="7.5"/><text x="30" y="${y + 10}">${maxDose} µL (size: dose)</text>` +
    `<circle class="pt given" cx="170" cy="${y + 6}" r="6"/><text x="182" y="${y + 10}">given</text>` +
    `<circle class="pt fault" cx="240" cy="${y + 6}" r="6"/><text x="252" y="${y + 10}">fault</text>` +
    (zones.some((z) => z.grid) ? `<line x1="310" y1="${y + 6}" x2="${310 + bar}" y2="${y + 6}" class="bar"/><text x="${316 + bar}" y="${y + 10}">10 mm</text>` : "") + `</g>`;
  el.innerHTML = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${y + 24}" viewBox="0 0 ${w} ${y + 24}">${parts.join("")}${legend}</svg>`;
}

function clock(s) {
  s = Math.max(0, Math.round(s));
  if (s < 60) return s + " s";
  return Math.floor(s / 60) + " min " + String(s % 60).padStart(2, "0") + " s";
}

// ---- editor: validation as you type ----
function editorPage() {
  const ta = $("#toml"), gutter = $("#gutter");
  let timer = null, seq = 0;
  async function check() {
    const mine = ++seq;
    const [, got] = await post("/api/plan", ta.value, false);
    if (mine !== seq) return;  // an older answer than the text on screen
    const byLine = {};
    got.problems.forEach((p) => { (byLine[p.line] = byLine[p.line] || []).push(p); });
    const n = ta.value.split("\n").length;
    gutter.innerHTML = Array.from({length: n}, (_, i) => {
      const ps = byLine[i + 1];
      const cls = ps ? (ps.some((p) => p.severity === "error") ? "error" : "warning") : "";
      return `<span class="ln ${cls}" title="${ps ? esc(ps.map((p) => p.message).join("\n")) : ""}">${i + 1}</span>`;
    }).join("\n");
    $("#problems").innerHTML = got.problems.map((p) =>
      `<li class="problem ${p.severity}" data-line="${p.line}"><b>line ${p.line}</b> <code>${esc(p.key)}</code>: ${esc(p.message)}</li>`).join("")
      || `<li class="ok">No problem found.</li>`;
    const errors = got.problems.filter((p) => p.severity === "error").length;
    const v = $("#verdict");
    v.textContent = errors ? errors + " error" + (errors > 1 ? "s" : "") : (got.problems.length ? "valid, warnings to confirm" : "valid");
    v.className = "badge " + (errors ? "bad" : "good");
    if (got.plan) {
      const p = got.plan;
      $("#plan").innerHTML = `<p>${esc(p.name)}${p.product ? " — " + esc(p.product) : ""}: <b>${p.points}</b> points,
        <b>${p.volume_ul}</b> µL, <b>${p.fills}</b> syringe fill${p.fills > 1 ? "s" : ""} of ${p.syringe_ml} mL,
        about <b>${clock(p.time_s)}</b> of injection</p>`;
      zoneMap($("#map"), p.zones);
    } else {
      $("#plan").innerHTML = `<p class="muted">The plan appears once the file has no error.</p>`;
      $("#map").innerHTML = "";
    }
  }
  ta.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 250); });
  ta.addEventListener("scroll", () => { gutter.scrollTop = ta.scrollTop; });
  $("#problems").addEventListener("click", (e) => {
    const li = e.target.closest("li[data-line]");
    if (!li) return;
    const lines = ta.value.split("\n"), k = +li.dataset.line - 1;
    const start = lines.slice(0, k).reduce((a, l) => a + l.length + 1, 0);
    ta.focus(); ta.setSelectionRange(start, start + (lines[k] || "").length);
  });
  $("#save").addEventListener("click", async () => {
    const [code, got] = await post("/api/save", {name: $("#save-name").value, text: ta.value});
    $("#saved").textContent = code === 200 ? "saved: " + got.path : got.error;
  });
  check();
}

// ---- connect ----
function connectPage() {
  async function choose(port) {
    $("#identity").innerHTML = `<dt>port</dt><dd>${esc(port)}: asking…</dd>`;
    const r = await fetch("/api/gun?port=" + encodeURIComponent(port));
    const g = await r.json();
    if (!r.ok) { $("#identity").innerHTML = `<dt>port</dt><dd class="problem error">${esc(g.error)}</dd>`; return; }
    localStorage.setItem("meso-port", port);
    localStorage.setItem("meso-gun", g.device_id);
    gunBadge();
    $("#identity").innerHTML = [["port", g.port], ["gun", g.device_id], ["board", g.board], ["firmware", g.firmware],
      ["protocol", g.protocol_version], ["calibration", g.calibration], ["lock", g.lock]]
      .map(([k, v]) => `<dt>${k}</dt><dd>${esc(v)}</dd>`).join("");
  }
  async function scan() {
    $("#scan-note").textContent = "looking…";
    const r = await fetch("/api/ports?extra=" + encodeURIComponent($("#extra").value));
    const got = await r.json();
    $("#scan-note").textContent = got.auto ? "one gun found: chosen" : got.note;
    $("#ports").innerHTML = `<tr><th>port</th><th>what it is</th><th>answer</th><th></th></tr>` +
      got.ports.map((p) => `<tr class="${p.gun ? "gun" : ""}"><td><code>${esc(p.port)}</code></td><td>${esc(p.description)}</td>
        <td>${esc(p.answer)}</td><td>${p.gun ? `<button data-port="${esc(p.port)}">use</button>` : ""}</td></tr>`).join("");
    if (got.auto) choose(got.auto);
  }
  $("#ports").addEventListener("click", (e) => { if (e.target.dataset.port) choose(e.target.dataset.port); });
  $("#scan").addEventListener("click", scan);
  const known = new URLSearchParams(location.search).get("extra") || localStorage.getItem("meso-port") || "";
  $("#extra").value = known;
  scan();
}

// ---- session: setup, then the live view (also after a reload) ----
function sessionPage() {
  let plan = null, given = 0, shots = 0, planned = 0, mine = false, state = "starting";
  const done = {};
  // The buttons that mean something in each state (abort always, until the end).
  const USABLE = {running: ["pause", "abort"], paused: ["resume", "abort"], refill: ["refilled", "abort"],
    fault: ["ack", "abort"], starting: ["abort"]};
  const enable = () => document.querySelectorAll("[data-control]").forEach((b) => {
    b.disabled = !mine || !(USABLE[state] || []).includes(b.dataset.control);
  });
  const setRole = (controller) => {
    mine = controller === TAB;
    $("#role").textContent = mine ? "controls" : "watches";
    $("#control-note").textContent = mine ? "" : "another tab controls this session; this one watches";
    enable();
  };
  function show(ev) {
    if (ev.kind === "state") {
      state = ev.state; enable();
      $("#state").textContent = ev.state;
      $("#state").className = "st-" + ev.state.replace(/ /g, "-");
    } else if (ev.kind === "plan") {
      plan = ev.zones; planned = ev.planned; $("#planned").textContent = planned;
      zoneMap($("#live-map"), ev.zones);
      $("#left").textContent = clock(ev.time_s);
    } else if (ev.kind === "shot") {
      shots += ev.fault ? 0 : 1; given += ev.delivered_ul;
      const c = document.getElementById(`p-${ev.zone}-${ev.index}`);
      if (c) c.classList.add(ev.fault ? "fault" : "given");
      $("#shots").textContent = shots; $("#given").textContent = given.toFixed(1);
      if (plan) $("#zone").textContent = plan[ev.zone].name;
      // Time left from the plan's own timing of each zone (as `meso plan`), for the points not given.
      done[ev.zone] = (done[ev.zone] || 0) + 1;
      if (plan) $("#left").textContent = clock(plan.reduce((a, z, i) =>
        a + z.time_s * Math.max(0, z.points - (done[i] || 0)) / z.points, 0));
    } else if (ev.kind === "fault") {
      alertBox("fault", `<b>Fault (${esc(ev.fault)}): ${esc(ev.what)}.</b><br>What the gun did: ${esc(ev.gun)}.<br>Put right what caused it, then acknowledge and continue with the next point not given, or abort.`);
    } else if (ev.kind === "refill") {
      alertBox("refill", `<b>${esc(ev.message)}</b><br>Fit a full syringe, then press “Refill done”.`);
    } else if (ev.kind === "ack") {
      alertBox("", "");
    } else if (ev.kind === "link_lost") {
      alertBox("fault", `<b>The gun is not answering (unplugged?)</b><br>${esc(ev.message)}.`);
    } else if (ev.kind === "error") {
      alertBox("fault", `<b>The session could not go on</b><br>${esc(ev.message)}`);
    } else if (ev.kind === "end") {
      const s = ev.summary;
      $("#done").hidden = false;
      $("#done").innerHTML = `<h2>Session ended: ${esc(ev.outcome)}</h2>` + (ev.reason ? `<p>${esc(ev.reason)}</p>` : "") +
        (s ? `<p>${s.shots} of ${s.planned} shots, ${s.delivered_ul.toFixed(1)} µL (gun's estimate), ${s.faults} fault${s.faults === 1 ? "" : "s"}</p>` : "") +
        (ev.log ? `<p>Session log: <code>${esc(ev.log)}</code> — <a id="report-link" href="/report?log=${encodeURIComponent(ev.log)}" target="_blank">open the report</a></p>` : "");
      if (ev.log) sessionStorage.setItem("meso-last-log", ev.log);
      if (ev.outcome !== "done") $("#left").textContent = "–";
      $("#done").innerHTML += `<p><a href="/end">After the session</a> · <a href="/session?new=1">Next session</a></p>`;
      document.querySelectorAll("[data-control]").forEach((b) => { b.disabled = true; });
    }
  }
  function alertBox(kind, html) {
    const a = $("#alert");
    a.hidden = !html; a.className = "card alert " + kind; a.innerHTML = html;
  }
  function goLive() {
    $("#setup").hidden = true; $("#live").hidden = false;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}/ws/session?since=0`);
    ws.onmessage = (m) => { const got = JSON.parse(m.data); setRole(got.controller); got.events.forEach(show); };
    ws.onclose = () => { $("#control-note").textContent = "the page lost the server; reload to reconnect"; };
  }
  document.querySelectorAll("[data-control]").forEach((b) => b.addEventListener("click", async () => {
    const [code, got] = await post("/api/session/control", {name: b.dataset.control, tab: TAB});
    $("#control-note").textContent = code === 200 ? "" : got.error;
  }));
  $("#start").addEventListener("click", async () => {
    const answers = {};
    document.querySelectorAll("input[type=radio]:checked").forEach((r) => { answers[r.name.slice(3)] = r.value; });
    const body = {protocol: $("#protocol").value, port: localStorage.getItem("meso-port"), answers,
      screened_by: $("#screened-by").value.trim() || null, accept_warnings: $("#accept-warnings").checked, tab: TAB};
    document.querySelectorAll("[id^=rec-]").forEach((i) => { body[i.name] = i.value; });
    const [code, got] = await post("/api/session/start", body);
    if (code !== 200) { const e = $("#start-error"); e.hidden = false; e.textContent = got.error; return; }
    goLive();
  });
  if (new URLSearchParams(location.search).has("new")) sessionStorage.removeItem("meso-live-seen");
  fetch("/api/session").then((r) => r.json()).then((got) => {
    if (got.live && (!got.live.finished || sessionStorage.getItem("meso-live-seen"))) goLive();
  });
  window.addEventListener("beforeunload", () => { if (!$("#live").hidden) sessionStorage.setItem("meso-live-seen", "1"); });
}

function endPage() {
  const log = sessionStorage.getItem("meso-last-log");
  if (!log) return;
  $("#end-summary").innerHTML = `<h2>Last session</h2><p>Session log <code>${esc(log)}</code></p>
    <p><a href="/report?log=${encodeURIComponent(log)}" target="_blank">Open the report</a> (print it from the browser)</p>`;
  $("#end-commands").textContent = `meso report ${log} -o report.html\nmeso course …`;
}

gunBadge();
({editor: editorPage, connect: connectPage, session: sessionPage, end: endPage}[document.body.dataset.page] || (() => {}))();
