// alignsim workshop: the pages of the game (join/player, facilitator console, projector, host).
// The server sends each screen its own view after every change; this script only draws it and sends requests.
// Nothing here decides who may do what: the server checks every request (seat token, round, ranges).
"use strict";

const page = document.body.dataset.page;
const code = document.body.dataset.code;
const app = document.getElementById("app");
const errorBox = document.getElementById("error");
const DEPTS = ["marketing", "sales", "operations", "purchasing"];
const LABEL = {marketing: "Marketing", sales: "Sales", operations: "Operations", purchasing: "Purchasing"};
const STAGES = ["Us vs them", "Friendly role-play", "Cooperative efforts", "Collaboration", "Full alignment"];
const KPIS = {
  marketing: [["leads", "Leads passed", "n"], ["lead_acceptance", "Leads sales worked", "pct"],
              ["target", "KPI target", "pct"], ["spend", "Spend", "eur"], ["cost_per_lead", "Cost per lead", "eurk"]],
  sales: [["bookings", "Bookings", "eur"], ["quota", "Quota (team)", "eur"], ["attainment", "Quota attained", "pct"],
          ["wins", "Deals won", "n"], ["discount", "Mean discount", "pct"]],
  operations: [["delivery_delay", "Delivery time", "weeks"], ["normal_delivery", "Normal", "weeks"],
               ["quality", "Service quality", "pct"], ["utilisation", "Utilisation", "pct"], ["staff", "Staff", "n"]],
  purchasing: [["pending", "Deals waiting for approval", "n"], ["opportunities", "Open opportunities", "n"],
               ["approval_share", "Deals needing approval", "pct"]],
};
const COMPANY = [["revenue", "Revenue this quarter", "eur"], ["revenue_total", "Revenue so far", "eur"],
                 ["nrr", "Net revenue retention", "pct"], ["cash", "Cash", "eur"], ["stage", "Alignment stage", "stage"],
                 ["trust", "Trust", "num2"]];

let socket = null, state = null, game = null, received = 0, formKey = null, draft = {}, hello = null;
let timerDraft = null;  // the round time being typed on the console (kept when the console is redrawn)

function esc(text) {
  return String(text ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
function fmt(value, kind) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  switch (kind) {
    case "eur": return `€${(value / 1e6).toFixed(2)} m`;
    case "eurk": return `€${(value / 1e3).toFixed(1)} k`;
    case "eurm": return `${value >= 0 ? "" : "−"}€${Math.abs(value / 1e6).toFixed(2)} m`;
    case "pct": return `${(100 * value).toFixed(1)} %`;
    case "weeks": return `${value.toFixed(1)} wk`;
    case "stage": return `${value} · ${STAGES[value - 1] ?? ""}`;
    case "num2": return value.toFixed(2);
    default: return Number.isInteger(value) ? String(value) : value.toFixed(1);
  }
}
function decisionText(d, value) {
  if (d.unit.startsWith("share")) return `${Math.round(100 * value)} %`;
  if (d.unit.startsWith("weeks")) return `${Math.round(value)} weeks`;
  return Number(value).toFixed(2);
}
function clock(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => { errorBox.hidden = true; }, 8000);
}
function hideError() { errorBox.hidden = true; }
function seatKey() { return `alignsim-seat-${code}`; }
function hashParam(name) { return new URLSearchParams(location.hash.slice(1)).get(name); }

// ------------------------------------------------------------------ the connection
function send(message) {
  if (!socket || socket.readyState !== WebSocket.OPEN) { showError("not connected to the server: retrying"); return; }
  socket.send(JSON.stringify(message));
}
window.workshop = {send, get state() { return state; }, get version() { return state ? state.version : -1; }};

function connect(helloMessage) {
  hello = helloMessage;
  socket = new WebSocket(`ws://${location.host}/ws/${code}`);
  socket.onopen = () => { document.body.classList.remove("disconnected"); if (hello) send(hello); };
  socket.onmessage = event => onMessage(JSON.parse(event.data));
  socket.onclose = event => {
    if (event.code === 4404 || event.code === 1008) { showError(event.reason || "the server refused this page"); return; }
    document.body.classList.add("disconnected");
    setTimeout(() => connect(hello), 1000);
  };
}

function onMessage(msg) {
  if (msg.type === "state") {
    state = msg.state;
    received = performance.now();
    try {
      render();
    } finally {
      document.body.dataset.version = state.version;
      document.body.dataset.phase = state.phase;
      document.body.dataset.round = state.round;
    }
  } else if (msg.type === "error") {
    if (page === "join" && /holds no seat/.test(msg.message) && hello && hello.op === "hello") {
      localStorage.removeItem(seatKey());
      hello = null;
      joinForm();
    }
    showError(msg.message);
  } else if (msg.type === "joined") {
    localStorage.setItem(seatKey(), msg.token);
    hello = {op: "hello", role: "player", token: msg.token};
    hideError();
  } else if (msg.type === "ok") {
    hideError();
  } else if (msg.type === "ended") {
    localStorage.removeItem(seatKey());
    app.innerHTML = "<h1>This room has ended</h1><p>Thank you for playing.</p>";
  }
}

setInterval(() => {
  if (!state || !state.timer) return;
  const left = state.timer.remaining === null ? null : state.timer.remaining - (performance.now() - received) / 1000;
  for (const el of document.querySelectorAll(".timer")) {
    if (left === null) { el.textContent = state.timer.paused ? "paused" : "no timer"; continue; }
    el.textContent = state.timer.paused ? `${clock(left + (performance.now() - received) / 1000)} (paused)` : clock(left);
    el.classList.toggle("low", !state.timer.paused && left < 30);
  }
}, 250);

function render() {
  if (page === "join") renderPlayer();
  else if (page === "console") renderConsole();
  else if (page === "projector") renderProjector();
}

// ------------------------------------------------------------------ shared pieces
function statusBar(extra = "") {
  const phase = {lobby: "waiting to start", deciding: "decisions open", review: "quarter review",
                 finished: "game over"}[state.phase];
  return `<div class="bar"><span class="code">Room ${esc(state.code)}</span><span>${esc(state.preset_label)}</span>
    <span id="round">Round ${state.round} of ${state.rounds}</span><span id="phase">${phase}</span>
    <span>time left <span class="timer"></span></span>${extra}</div>`;
}
function table(rows, columns, first) {
  const head = `<tr><th>${esc(first[0])}</th>${columns.map(c => `<th>${esc(c[1])}</th>`).join("")}</tr>`;
  const body = rows.map(r => `<tr><td>${esc(first[1](r))}</td>${columns.map(c => `<td>${fmt(r.data[c[0]], c[2])}</td>`).join("")}</tr>`).join("");
  return `<div class="scroll"><table>${head}${body}</table></div>`;
}
function leaderboardTable(board, withHistory) {
  if (!board.length || !board[0].latest) return "<p>No results shown yet.</p>";
  const cols = [["revenue_total", "Revenue", "eur"], ["nrr", "NRR (last quarter)", "pct"], ["cash", "Cash", "eur"],
                ["stage", "Alignment stage", "stage"]];
  const rows = board.map((c, i) => ({name: `${i + 1}. ${c.name}`, data: c.latest}));
  return table(rows, cols, ["Company", r => r.name]) +
    (withHistory ? `<p class="help">after round ${board[0].latest.round}</p>` : "");
}
function ledgerBlock(name, ledger) {
  const max = Math.max(...DEPTS.map(d => Math.abs(ledger.shares[d])), 1);
  const total = DEPTS.reduce((s, d) => s + ledger.shares[d], 0);
  const rows = DEPTS.map(d => `<tr><td><span class="dept ${d}">${LABEL[d]}</span></td>
      <td>${ledger.played_by[d] === "people" ? "people" : '<span class="seat-agents">agents</span>'}</td>
      <td>${fmt(ledger.shares[d], "eurm")}</td>
      <td>${ledger.shortfall ? (100 * ledger.shares[d] / ledger.shortfall).toFixed(0) + " %" : "–"}</td>
      <td style="text-align:left"><span class="ledger-bar ${ledger.shares[d] < 0 ? "negative" : ""}"
          style="width:${(8 * Math.abs(ledger.shares[d]) / max).toFixed(2)}em"></span></td>
      <td>${ledger.blamed[d]}</td></tr>`).join("");
  return `<div class="card ledger" data-company="${esc(name)}"><h3>${esc(name)}: the blame ledger</h3>
    <p>Revenue played <b>${fmt(ledger.revenue_played, "eur")}</b>; with every department aligned
       <b>${fmt(ledger.revenue_aligned, "eur")}</b>; shortfall <b class="shortfall">${fmt(ledger.shortfall, "eurm")}</b>.</p>
    <div class="scroll"><table><tr><th>Department</th><th>Seat</th><th>Share of the shortfall</th><th>%</th><th></th>
      <th>Blamed by people</th></tr>${rows}
      <tr><td><b>Total</b></td><td></td><td class="ledger-total"><b>${fmt(total, "eurm")}</b></td><td></td><td></td>
      <td>${DEPTS.reduce((s, d) => s + ledger.blamed[d], 0)}</td></tr></table></div>
    <p class="help">Each share is what aligning that department (its decisions, votes and review answers set as the
      full-alignment preset's) would have added, averaged over every order of aligning them (Shapley values); the
      shares add up to the shortfall. A negative share: that seat did better than the aligned setting.</p></div>`;
}

// ------------------------------------------------------------------ the player
async function startPlayer() {
  game = await (await fetch("/api/game")).json();
  const token = localStorage.getItem(seatKey());
  if (token) connect({op: "hello", role: "player", token});
  else joinForm();
}

async function joinForm() {
  const response = await fetch(`/api/rooms/${code}/seats`);
  const seats = await response.json();
  if (seats.error) { app.innerHTML = `<p class="error">${esc(seats.error)}</p>`; return; }
  const teamOptions = seats.teams.map((t, i) => `<option value="${i}">${esc(t.name)}</option>`).join("");
  app.innerHTML = `<h1>Join room ${esc(code)}</h1><p>${esc(seats.preset_label)}</p>
    <div class="card"><label>Your name <input id="name" maxlength="30" autocomplete="name"></label>
    <label>Team <select id="team">${teamOptions}</select></label>
    <label>Department <select id="department"></select></label>
    <p><button id="take-seat">Take the seat</button></p></div>
    <p class="help">An empty seat is played by the model's agents at the preset's settings.</p>`;
  const fill = () => {
    const t = seats.teams[Number(document.getElementById("team").value)];
    document.getElementById("department").innerHTML = DEPTS.map(d =>
      `<option value="${d}" ${t.seats[d] ? "disabled" : ""}>${LABEL[d]}${t.seats[d] ? " (taken)" : ""}</option>`).join("");
  };
  document.getElementById("team").onchange = fill;
  fill();
  document.getElementById("take-seat").onclick = () => {
    const message = {op: "join", team: Number(document.getElementById("team").value),
                     department: document.getElementById("department").value,
                     name: document.getElementById("name").value};
    if (!socket || socket.readyState > 1) connect(null);
    const go = () => send(message);
    if (socket.readyState === WebSocket.OPEN) go(); else socket.addEventListener("open", go, {once: true});
  };
}

function renderPlayer() {
  if (state.role !== "player") return;
  const key = `${state.round}/${state.phase}/${state.must_answer}/${state.submitted}/${!!state.ledger}`;
  if (key !== formKey) {
    formKey = key;
    draft = {...state.values};
    app.innerHTML = `${statusBar(`<span>${esc(state.team_name)} · <span class="dept ${state.department}">${esc(state.department_label)}</span> · ${esc(state.player)}</span>`)}
      <section id="task"></section><section id="numbers"></section>`;
    renderTask();
  }
  renderNumbers();
}

function renderTask() {
  const task = document.getElementById("task");
  const dept = game.departments.find(d => d.key === state.department);
  if (state.phase === "lobby") {
    task.innerHTML = `<div class="card"><p class="status-wait">Waiting for the facilitator to start the game.</p>
      <p>You run <b>${esc(state.department_label)}</b> for ${esc(state.team_name)}.</p></div>`;
  } else if (state.phase === "deciding") {
    const items = dept.decisions.map(d => `<div class="decision"><div class="row"><label for="d-${d.key}">${esc(d.label)}</label>
        <output id="o-${d.key}">${decisionText(d, draft[d.key])}</output></div>
        <input type="range" id="d-${d.key}" min="${d.low}" max="${d.high}" step="${d.step}" value="${draft[d.key]}">
        <span class="help">${esc(d.help)} (${esc(d.unit)})</span></div>`).join("");
    const agreements = dept.agreements.map(k => {
      const a = game.agreements.find(x => x.key === k);
      const others = a.parties.filter(p => p !== state.department).map(p => LABEL[p]).join(", ");
      return `<div class="agreement"><input type="checkbox" id="v-${k}" ${state.votes[k] ? "checked" : ""}>
        <label for="v-${k}"><b>${esc(a.label)}</b> <span class="help">${esc(a.help)} Needs ${esc(others)} too.</span></label></div>`;
    }).join("");
    task.innerHTML = `<div class="card"><h2>Your decisions for quarter ${state.round}</h2>${items}
      <h3>Agreements</h3>${agreements}
      <p><button id="submit">${state.submitted ? "Change my decisions" : "Submit decisions"}</button></p>
      <p id="submitted" class="${state.submitted ? "status-ok" : "status-wait"}">${state.submitted
        ? "Submitted ✓ — you may change them until the round closes." : "Not submitted yet: if the timer runs out your last decisions stand."}</p></div>`;
    for (const d of dept.decisions) {
      document.getElementById(`d-${d.key}`).oninput = e => {
        draft[d.key] = Number(e.target.value);
        document.getElementById(`o-${d.key}`).textContent = decisionText(d, draft[d.key]);
      };
    }
    document.getElementById("submit").onclick = () => {
      const votes = {};
      for (const k of dept.agreements) votes[k] = document.getElementById(`v-${k}`).checked;
      send({op: "decide", round: state.round, team: state.team, department: state.department, values: draft, votes});
    };
  } else if (state.phase === "review") {
    const last = state.history[state.history.length - 1];
    const misses = last ? last.misses : [];
    if (state.must_answer && misses.length) {
      const m = misses[0];
      const blames = DEPTS.filter(d => d !== state.department).map(d =>
        `<label><input type="radio" name="answer" id="answer-blame-${d}" value="blame:${d}" ${d === m.suspect ? "checked" : ""}>
         Blame ${LABEL[d]}${d === m.suspect ? " (the usual suspect)" : ""}</label>`).join("");
      task.innerHTML = `<div class="card"><h2>Quarter ${state.round} review</h2>
        <p class="miss">${esc(state.department_label)} missed its KPI (${esc(m.reason)}).</p><p>What went wrong?</p>
        <div class="choices">${blames}
        <label><input type="radio" name="answer" id="answer-fix" value="fix"> Call a joint fix with the others</label>
        <label><input type="radio" name="answer" id="answer-accept" value="accept"> Let it go</label></div>
        <p><button id="send-answer">Send my answer</button></p>
        <p class="help">A blame costs trust both ways; a joint fix closes part of the knowledge gap behind the miss.</p></div>`;
      document.getElementById("send-answer").onclick = () => {
        const picked = document.querySelector("input[name=answer]:checked");
        if (!picked) { showError("pick an answer first"); return; }
        const [kind, target] = picked.value.split(":");
        send({op: "answer", round: state.round, answer: {kind, target: target || null}});
      };
    } else {
      task.innerHTML = `<div class="card"><h2>Quarter ${state.round} review</h2><p class="status-wait">${state.answer
        ? "Answer sent ✓. Waiting for the others." : "Your department met its KPI this quarter. Waiting for the review to close."}</p></div>`;
    }
  } else {
    task.innerHTML = `<div class="card"><h2>Game over</h2>${state.ledger ? ledgerBlock(state.team_name, state.ledger)
      : "<p>The facilitator will show the blame ledger on the projector.</p>"}</div>`;
  }
}

function renderNumbers() {
  const el = document.getElementById("numbers");
  if (!el) return;
  const rounds = state.history.map(r => ({round: r.round, data: r.own}));
  const company = state.history.map(r => ({round: r.round, data: r.company}));
  let html = `<h2>Your numbers: ${esc(state.department_label)}</h2>` + (rounds.length
    ? table(rounds, KPIS[state.department], ["Quarter", r => r.round]) : "<p>No quarter played yet.</p>");
  const last = state.history[state.history.length - 1];
  if (last && last.settled.length) {
    html += `<p>Review of quarter ${last.round}: ${last.settled.map(s => s.kind === "blame" ? `blamed ${LABEL[s.target]}`
      : s.kind === "fix" ? "joint fix" : "let it go").join(", ")} (${esc(last.settled[0].by)}).</p>`;
  }
  html += `<h2>The company</h2>` + (company.length ? table(company, COMPANY, ["Quarter", r => r.round]) : "");
  if (state.shares_data && last && last.others) {
    for (const d of DEPTS.filter(x => x !== state.department)) {
      html += `<h3><span class="dept ${d}">${LABEL[d]}</span> (shared data)</h3>` +
        table(state.history.filter(r => r.others).map(r => ({round: r.round, data: r.others[d]})), KPIS[d], ["Quarter", r => r.round]);
    }
  } else {
    html += `<p class="help" id="silo">The other departments' numbers and decisions are hidden: agree on shared pipeline data to see them.</p>`;
  }
  el.innerHTML = html;
}

// ------------------------------------------------------------------ the facilitator
function renderConsole() {
  const seatCell = (company, d) => {
    const s = company.seats[d];
    const flags = state.phase === "deciding" ? (s.player ? (s.submitted ? " ✓ submitted" : " (deciding)") : "")
      : state.phase === "review" ? (s.missed ? (s.player ? (s.answered ? " answered" : " missed: asked") : " missed") : "") : "";
    const free = s.player && state.phase !== "finished"
      ? ` <button class="secondary free" data-team="${team}" data-dept="${d}" title="free this seat: the agents play it until someone takes it">free</button>` : "";
    return `<td>${s.player ? esc(s.player) : '<span class="seat-agents">agents</span>'}${flags}${free}</td>`;
  };
  let team = 0;
  const progress = state.progress.map((c, i) => { team = i; return `<tr><td>${esc(c.name)}</td>${DEPTS.map(d => seatCell(c, d)).join("")}</tr>`; }).join("");
  const ledgers = (state.companies || []).filter(c => c.ledger).map(c => ledgerBlock(c.name, c.ledger)).join("");
  const blames = (state.companies || []).map(c => c.records.flatMap(r => (r.settled || []).filter(s => s.by === "people" && s.kind !== "accept")
      .map(s => `<li>${esc(c.name)}, Q${r.round}: ${LABEL[s.department]} ${s.kind === "blame" ? `blamed ${LABEL[s.target]}` : "called a joint fix"} (${esc(s.reason)})</li>`)).join("")).join("");
  app.innerHTML = `${statusBar()}
    <div class="controls">
      <button id="start" ${state.phase !== "lobby" ? "disabled" : ""}>Start</button>
      <button id="pause" class="secondary" ${state.timer.remaining === null || state.timer.paused ? "disabled" : ""}>Pause</button>
      <button id="resume" class="secondary" ${state.timer.paused ? "" : "disabled"}>Resume</button>
      <button id="close" ${["deciding", "review"].includes(state.phase) ? "" : "disabled"}>${state.phase === "review" ? "Close review" : "Close round"}</button>
      <button id="reveal" class="secondary">Reveal on projector</button>
      <label style="display:inline">Round time <input id="timer-seconds" type="number" min="0" max="3600" step="10" value="${timerDraft ?? state.timer.round_seconds}" style="width:5em"> s</label>
      <button id="set-timer" class="secondary">Set</button>
    </div>
    <div class="join-box"><img src="/qr/${esc(state.code)}.svg" alt="QR code of the join link">
      <div><p>Players join at</p><p class="url" id="join-url">${esc(state.join_url)}</p>
      <p><a href="/projector/${esc(state.code)}" target="_blank">Open the projector view</a> ·
         <a id="report" href="/report/${esc(state.code)}.html?token=${encodeURIComponent(hashParam("token") || "")}" target="_blank">Game report</a></p></div></div>
    <h2>Seats</h2><div class="scroll"><table id="seats"><tr><th>Company</th>${DEPTS.map(d => `<th>${LABEL[d]}</th>`).join("")}</tr>${progress}</table></div>
    <h2>Leaderboard</h2>${leaderboardTable(state.leaderboard, true)}
    <p class="help">The projector shows results up to round ${state.revealed} (Reveal shows the latest).</p>
    ${state.phase === "finished" ? (ledgers || '<p class="status-wait" id="ledger-wait">Computing the blame ledger (every combination of aligned departments is replayed)…</p>') : ""}
    <h2>What the people did at the reviews</h2><ul id="blames">${blames || "<li>nothing yet</li>"}</ul>
    <h2>Log</h2><ul class="help" id="log">${state.log.slice().reverse().map(l => `<li>${esc(l)}</li>`).join("")}</ul>`;
  const token = hashParam("token");
  for (const op of ["start", "pause", "resume", "close", "reveal"]) document.getElementById(op).onclick = () => send({op, token});
  for (const button of document.querySelectorAll("button.free")) {
    button.onclick = () => send({op: "release", team: Number(button.dataset.team), department: button.dataset.dept});
  }
  document.getElementById("timer-seconds").oninput = e => { timerDraft = e.target.value; };
  document.getElementById("set-timer").onclick = () => {
    send({op: "timer", seconds: Number(document.getElementById("timer-seconds").value)});
    timerDraft = null;
  };
}

// ------------------------------------------------------------------ the projector
function renderProjector() {
  let body = "";
  if (state.phase === "lobby") {
    body = `<div class="join-box"><img src="/qr/${esc(state.code)}.svg" alt="QR code of the join link">
      <div><p>Join the game at</p><p class="url">${esc(state.join_url)}</p><p>room code</p><p class="big-code">${esc(state.code)}</p></div></div>`;
  }
  const progress = state.progress.map(c => {
    const people = DEPTS.filter(d => c.seats[d].player);
    const done = people.filter(d => state.phase === "review" ? c.seats[d].answered || !c.seats[d].missed : c.seats[d].submitted);
    return `<tr><td>${esc(c.name)}</td><td>${people.length}</td><td>${state.phase === "lobby" ? "–" : `${done.length} of ${people.length}`}</td></tr>`;
  }).join("");
  const teams = `<h2>Teams</h2><table><tr><th>Company</th><th>Players</th><th>${state.phase === "review" ? "Reviews answered" : "Decisions in"}</th></tr>${progress}</table>`;
  const board = state.revealed ? `<h2>Leaderboard after round ${state.revealed}</h2>${leaderboardTable(state.leaderboard, false)}` : "";
  if (state.ledgers) {  // the debrief: the ledger first, where the room can read it
    body += `<h2>Who really cost the company what</h2>` + state.ledgers.map(l => ledgerBlock(l.name, l)).join("") + board;
  } else {
    body += (state.phase === "lobby" ? teams : board + teams);
  }
  app.innerHTML = statusBar() + body;
}

// ------------------------------------------------------------------ the host page and the landing page
async function renderHost() {
  game = await (await fetch("/api/game")).json();
  const key = hashParam("key") || "";
  app.innerHTML = `<h1>Open a workshop room</h1><div class="card">
    <label>Preset <select id="preset">${game.presets.map(p => `<option value="${p.key}">${esc(p.label)}</option>`).join("")}</select></label>
    <label>Companies (teams) <input id="teams" type="number" min="1" max="${game.max_teams}" value="2"></label>
    <label>Rounds (quarters) <input id="rounds" type="number" min="1" max="${game.max_rounds}" value="4"></label>
    <label>Round time (seconds, 0 = no timer) <input id="round-seconds" type="number" min="0" max="3600" value="300"></label>
    <label>Seed <input id="seed" type="number" min="0" value="0"></label>
    <p><button id="open-room">Open the room</button></p></div><h2>Rooms on this server</h2><ul id="rooms"></ul>`;
  document.getElementById("open-room").onclick = async () => {
    const body = {key, preset: document.getElementById("preset").value, teams: Number(document.getElementById("teams").value),
                  rounds: Number(document.getElementById("rounds").value), seed: Number(document.getElementById("seed").value),
                  round_seconds: Number(document.getElementById("round-seconds").value)};
    const reply = await (await fetch("/api/rooms", {method: "POST", headers: {"Content-Type": "application/json"},
                                                    body: JSON.stringify(body)})).json();
    if (reply.error) showError(reply.error); else location.href = reply.console;
  };
  const rooms = await (await fetch("/api/rooms/list", {method: "POST", headers: {"X-Workshop-Key": key}})).json();
  document.getElementById("rooms").innerHTML = Array.isArray(rooms) && rooms.length
    ? rooms.map(r => `<li><a href="${r.console}">${esc(r.code)}</a>: ${esc(r.preset)}, ${esc(r.phase)}, round ${r.round} of ${r.rounds}</li>`).join("")
    : "<li>none</li>";
}

function renderIndex() {
  app.innerHTML = `<h1>alignsim workshop</h1><div class="card"><label>Room code <input id="code" maxlength="8"
    autocapitalize="characters"></label><p><button id="go">Join</button></p></div>
    <p class="help">Facilitators: open the link that <code>alignsim workshop</code> printed in its terminal.</p>`;
  document.getElementById("go").onclick = () => {
    location.href = `/join/${encodeURIComponent(document.getElementById("code").value.trim().toUpperCase())}`;
  };
}

if (page === "join") startPlayer();
else if (page === "console") fetch("/api/game").then(r => r.json()).then(g => { game = g; connect({op: "hello", role: "facilitator", token: hashParam("token")}); });
else if (page === "projector") connect({op: "hello", role: "projector"});
else if (page === "host") renderHost();
else if (page === "index") renderIndex();
