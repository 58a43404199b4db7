// The ClawSharp dashboard: one page over the control protocol (protocol.js), same origin.
// Polls status and the restart preflight every second, the log every two, sessions every
// three and the gateway's samples every ten; reconnects by itself after a restart (1012).

import { GatewayClient } from "/dashboard/protocol.js";
import { lineChart } from "/dashboard/charts.js";

const TOKEN_KEY = "clawsharp.dashboard.token";
const HISTORY_KEY = "clawsharp.dashboard.history";
const RESTARTS_KEY = "clawsharp.dashboard.restarts";
const HOUR_MS = 60 * 60 * 1000;
const LEVELS = { Verbose: 0, Debug: 1, Information: 2, Warning: 3, Error: 4, Fatal: 5 };
const LEVEL_NAMES = ["VRB", "DBG", "INF", "WRN", "ERR", "FTL"];
const STATE_WORDS = {
  running: "Running", scheduled: "Restart scheduled", draining: "Draining for restart", restarting: "Restarting",
  starting: "Starting", closing: "Stopping", startFailed: "Start failed", stopped: "Stopped",
};

const $ = (id) => document.getElementById(id);
const page = {
  client: null, connected: false, everConnected: false, token: sessionStorage.getItem(TOKEN_KEY) ?? "",
  status: null, statusAt: 0, preflight: null, bootId: null, pid: null, timers: [], reconnectDelay: 500,
  follow: null, logCursor: null, logLines: [], session: null, liveWork: [],
};

// ---- connection ----------------------------------------------------------------------------

function socketUrl() {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/`;
}

function banner(state, text) {
  const node = $("connection");
  node.dataset.state = state;
  node.textContent = text;
}

async function connect() {
  stopPolling();
  const client = new GatewayClient(socketUrl(), { onEvent, onClose: (close) => closed(client, close) });
  page.client = client;
  if (!page.token && !page.everConnected && !page.triedWithout) {
    // Nothing stored for this tab: ask first, rather than knock without a token (a logged, rate-limited auth failure).
    page.triedWithout = true;
    banner("failed", "Not signed in");
    askToken("");
    return;
  }
  try {
    const hello = await client.connect(page.token);
    page.connected = true;
    page.reconnectDelay = 500;
    if (page.token) { sessionStorage.setItem(TOKEN_KEY, page.token); }
    $("token-form").hidden = true;
    $("dashboard").hidden = false;
    const previousBoot = page.bootId;
    page.bootId = hello.server.bootId;
    await refreshStatus();
    const pid = page.status?.pid;
    if (previousBoot && previousBoot !== page.bootId) {
      remember(RESTARTS_KEY, Date.now());
      banner("connected", `Reconnected: the gateway is back (pid ${pid}, version ${hello.server.version})`);
      if (page.follow) { finishFollow(); }
    } else {
      banner("connected", page.everConnected ? `Reconnected (pid ${pid})` : `Connected to gateway (pid ${pid}, version ${hello.server.version})`);
    }
    page.everConnected = true;
    page.pid = pid;
    startPolling();
  } catch (error) {
    page.connected = false;
    if (/unauthori[sz]ed/i.test(error.message)) {
      page.token = "";
      sessionStorage.removeItem(TOKEN_KEY);
      askToken(page.everConnected || $("token").value ? error.message : "");
      banner("failed", "Not signed in");
      return;
    }
    reconnectLater(`Gateway unreachable (${error.message})`);
  }
}

function closed(client, close) {
  if (client !== page.client) { return; }
  page.connected = false;
  stopPolling();
  if (close.code === 1012) {
    if (page.follow) { page.follow.phase = "closed"; page.follow.closedAt = Date.now(); renderFollow(); }
    reconnectLater("Gateway restarting (service restart)");
  } else {
    reconnectLater(`Connection lost (code ${close.code}${close.reason ? ": " + close.reason : ""})`);
  }
}

function reconnectLater(why) {
  const delay = page.reconnectDelay;
  page.reconnectDelay = Math.min(page.reconnectDelay * 2, 5000);
  banner("reconnecting", `${why}; reconnecting in ${(delay / 1000).toFixed(1)} s…`);
  setTimeout(connect, delay);
}

function askToken(problem) {
  $("dashboard").hidden = true;
  $("token-form").hidden = false;
  $("token-error").textContent = problem;
  $("token").focus();
}

$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  page.token = $("token").value.trim();
  $("token").value = "";
  banner("connecting", "Connecting…");
  connect();
});

function onEvent(frame) {
  if (frame.event === "chat" && frame.payload?.sessionKey === page.session) { refreshMessages(); }
  if (frame.event === "shutdown" && page.follow) { page.follow.phase = "closing"; renderFollow(); }
}

// ---- polling -------------------------------------------------------------------------------

function every(ms, task) {
  const run = () => { if (page.connected) { task().catch(() => {}); } };
  run();
  page.timers.push(setInterval(run, ms));
}

function startPolling() {
  every(1000, async () => { await Promise.all([refreshStatus(), refreshPreflight()]); });
  every(2000, refreshLogs);
  every(3000, refreshSessions);
  every(10000, refreshHistory);
}

function stopPolling() {
  for (const timer of page.timers) { clearInterval(timer); }
  page.timers = [];
}

// ---- status and restart ----------------------------------------------------------------------

async function refreshStatus() {
  page.status = await page.client.request("status");
  page.statusAt = Date.now();
  // The status poll is a sample of the active work too: the chart moves every second, not every ten.
  const w = page.status.work;
  page.liveWork.push({ t: page.statusAt, v: w.queueSize + w.activeRuns + Number(w.pendingReplies) + w.activeTasks });
  page.liveWork = page.liveWork.filter((p) => p.t >= Date.now() - HOUR_MS);
  renderStatus();
  renderCharts();
}

function renderStatus() {
  const s = page.status;
  if (!s) { return; }
  $("state").textContent = STATE_WORDS[s.state] ?? s.state;
  $("state").dataset.state = s.state;
  $("pid").textContent = s.pid;
  $("version").textContent = s.version + (s.commit ? ` (${s.commit.slice(0, 8)})` : "");
  $("uptime").textContent = duration(s.uptimeMs + (Date.now() - page.statusAt));
  const seen = recall(RESTARTS_KEY).length;
  $("restarts").textContent = `${s.restarts} in this process` + (seen ? `, ${seen} seen by this page` : "");
  $("clients").textContent = s.connections;
  $("work-queue").textContent = s.work.queueSize;
  $("work-runs").textContent = s.work.activeRuns;
  $("work-replies").textContent = s.work.pendingReplies;
  $("work-tasks").textContent = s.work.activeTasks;
}

async function refreshPreflight() {
  page.preflight = await page.client.request("gateway.restart.preflight");
  $("preflight-summary").textContent = page.preflight.safe ? "Safe to restart now: nothing is blocking." : `Blocking a restart: ${page.preflight.summary.replace(/^restart deferred: /, "")}`;
  $("blockers").replaceChildren(...page.preflight.blockers.map((b) => item(`${b.kind}: ${b.message}`)));
  if (page.follow) { renderFollow(); }
}

function item(text) {
  const li = document.createElement("li");
  li.textContent = text;
  return li;
}

async function restartSafely() {
  const preflight = await page.client.request("gateway.restart.preflight");
  const body = [paragraph(preflight.safe
    ? "Nothing is running: the gateway restarts at once and is back in a moment."
    : "The gateway will stop taking new work, wait for this to finish, then restart:")];
  if (!preflight.safe) { body.push(list(preflight.blockers.map((b) => b.message))); }
  if (!await ask("Restart the gateway safely?", body, "Restart safely")) { return; }
  await request({ reason: "dashboard: restart safely" }, "safe");
}

async function restartForced() {
  const preflight = await page.client.request("gateway.restart.preflight");
  const cut = preflight.safe ? "Nothing is running right now." : `This work will be cut (runs are queued again after the restart): ${preflight.summary.replace(/^restart deferred: /, "")}.`;
  if (!await ask("Force a restart?", [paragraph("A forced restart does not wait for active work."), paragraph(cut)], "Continue…")) { return; }
  if (!await ask("Really force the restart now?", [paragraph("This is the second confirmation: the gateway restarts now, whatever it is doing.")], "Force restart now")) { return; }
  await request({ reason: "dashboard: forced restart", skipDeferral: true, interruptActiveWork: true, restartIntent: { force: true } }, "forced");
}

async function request(params, kind) {
  progress("Asking the gateway to restart…");
  page.follow = { phase: "asked", kind, since: Date.now(), bootId: page.bootId, pid: page.status?.pid, restarts: page.status?.restarts };
  try {
    const answer = await page.client.request("gateway.restart.request", params);
    page.follow.phase = answer.status;
    page.follow.answer = answer;
    renderFollow();
  } catch (error) {
    page.follow = null;
    progress(`Restart refused: ${error.message} (${error.code}). The gateway keeps running as it is.`, true);
  }
}

function renderFollow() {
  const f = page.follow;
  if (!f) { return; }
  const seconds = Math.round((Date.now() - f.since) / 1000);
  const blockers = page.preflight?.blockers ?? [];
  const left = blockers.length
    ? `Waiting for ${blockers.length} blocker(s): ${blockers.map((b) => b.message).join("; ")}`
    : "Nothing left to wait for.";
  switch (f.phase) {
    case "scheduled":
      progress(`Restart scheduled (${f.kind}): the gateway will restart momentarily. ${seconds} s so far.`);
      break;
    case "deferred":
      progress(`Restart deferred until active work drains. ${seconds} s so far.\n${left}`);
      break;
    case "coalesced":
      progress(`Joined a restart already pending. ${seconds} s so far.\n${left}`);
      break;
    case "closing":
    case "closed":
      progress(`The gateway is restarting (the connection closed with 1012 "service restart"); waiting for it to come back… ${seconds} s so far.`);
      break;
    default:
      progress("Asking the gateway to restart…");
  }
  // The field report: a restart that went nowhere must not look like one still on its way.
  if (["scheduled", "deferred", "coalesced"].includes(f.phase) && page.status?.state === "running" && page.preflight?.safe && seconds > 20) {
    progress(`The restart has not happened after ${seconds} s although nothing blocks it (state: running). It may have been dropped: look at the log, then try again.`, true);
  }
}

function finishFollow() {
  const f = page.follow;
  page.follow = null;
  const seconds = ((Date.now() - f.since) / 1000).toFixed(1);
  const s = page.status;
  const pid = s.pid === f.pid ? `pid ${s.pid}, same process` : `pid ${s.pid}, was ${f.pid}`;
  progress(`The gateway is back after ${seconds} s (${pid}, restart count ${s.restarts}, state ${STATE_WORDS[s.state] ?? s.state}).`);
}

function progress(text, refused = false) {
  const node = $("restart-progress");
  node.textContent = text;
  node.classList.toggle("refused", refused);
}

$("restart-safe").addEventListener("click", () => restartSafely().catch((e) => progress(`Restart not asked: ${e.message}`, true)));
$("restart-force").addEventListener("click", () => restartForced().catch((e) => progress(`Restart not asked: ${e.message}`, true)));

// ---- the confirmation dialog -----------------------------------------------------------------

function ask(title, body, confirmLabel) {
  const dialog = $("ask");
  $("ask-title").textContent = title;
  $("ask-body").replaceChildren(...body);
  $("ask-confirm").textContent = confirmLabel;
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
    dialog.returnValue = "";
    dialog.showModal();
  });
}

function paragraph(text) {
  const p = document.createElement("p");
  p.textContent = text;
  return p;
}

function list(texts) {
  const ul = document.createElement("ul");
  ul.replaceChildren(...texts.map(item));
  return ul;
}

// ---- sessions ----------------------------------------------------------------------------------

async function refreshSessions() {
  const { sessions } = await page.client.request("sessions.list");
  sessions.sort((a, b) => b.lastActivityAt - a.lastActivityAt);
  const select = $("session-select");
  if (!page.session || !sessions.some((s) => s.key === page.session)) { page.session = sessions[0]?.key ?? null; }
  const options = sessions.map((s) => {
    const option = document.createElement("option");
    option.value = s.key;
    option.textContent = `${s.key} (${s.messages} message(s), ${ago(s.lastActivityAt)})`;
    option.selected = s.key === page.session;
    return option;
  });
  if (select !== document.activeElement) { select.replaceChildren(...options); }
  await refreshMessages();
}

async function refreshMessages() {
  if (!page.session) { $("messages").replaceChildren(item("No sessions yet.")); return; }
  const { messages } = await page.client.request("chat.history", { sessionKey: page.session, limit: 20 });
  $("messages").replaceChildren(...messages.map((m) => {
    const li = document.createElement("li");
    const role = document.createElement("span");
    role.className = "role";
    role.textContent = `${m.role === "user" ? "Message" : "Reply"}${m.state && m.state !== "final" ? ` (${m.state})` : ""} · ${new Date(m.ts).toLocaleTimeString()}`;
    li.append(role, document.createTextNode(m.content));
    li.dataset.role = m.role;
    return li;
  }));
}

$("session-select").addEventListener("change", (event) => {
  page.session = event.target.value;
  refreshMessages().catch(() => {});
});

// ---- log -------------------------------------------------------------------------------------

async function refreshLogs() {
  const answer = await page.client.request("logs.tail", page.logCursor === null ? { limit: 200 } : { cursor: page.logCursor, limit: 1000 });
  page.logCursor = answer.cursor;
  if (answer.lines.length === 0) { return; }
  page.logLines.push(...answer.lines.filter((l) => l.trim()).map(parseLine));
  page.logLines = page.logLines.slice(-1000);
  renderLogs();
}

function parseLine(line) {
  try {
    const entry = JSON.parse(line);
    const level = LEVELS[entry["@l"] ?? "Information"] ?? 2;
    const time = entry["@t"] ? new Date(entry["@t"]).toLocaleTimeString([], { hour12: false }) : "";
    return { level, text: `${time} ${LEVEL_NAMES[level]} ${entry["@m"] ?? line}${entry["@x"] ? " " + entry["@x"] : ""}` };
  } catch {
    return { level: 2, text: line };
  }
}

function shownLogLines() {
  const least = Number($("log-level").value);
  return page.logLines.filter((l) => l.level >= least).map((l) => l.text);
}

function renderLogs() {
  const pre = $("log-lines");
  const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
  pre.textContent = shownLogLines().join("\n");
  if (atBottom) { pre.scrollTop = pre.scrollHeight; }
}

$("log-level").addEventListener("change", renderLogs);
$("log-copy").addEventListener("click", async () => {
  const lines = shownLogLines();
  try {
    await navigator.clipboard.writeText(lines.join("\n"));
    $("log-copied").textContent = `Copied ${lines.length} line(s)`;
  } catch {
    // No clipboard permission: select the lines so the operator can copy them by hand.
    getSelection().selectAllChildren($("log-lines"));
    $("log-copied").textContent = "Selected: press Ctrl+C to copy";
  }
});

// ---- history and charts ------------------------------------------------------------------------

function recall(key) {
  try { return JSON.parse(sessionStorage.getItem(key) ?? "[]").filter((x) => (x.ts ?? x) >= Date.now() - HOUR_MS); } catch { return []; }
}

function remember(key, value) {
  sessionStorage.setItem(key, JSON.stringify([...recall(key), value]));
}

async function refreshHistory() {
  const answer = await page.client.request("gateway.history");
  // Samples live in the gateway's memory: a fresh process starts over, so the page keeps what it saw and merges.
  const merged = new Map(recall(HISTORY_KEY).map((s) => [`${s.pid}:${s.ts}`, s]));
  for (const s of answer.samples) { merged.set(`${s.pid}:${s.ts}`, s); }
  const samples = [...merged.values()].sort((a, b) => a.ts - b.ts);
  sessionStorage.setItem(HISTORY_KEY, JSON.stringify(samples));
  renderCharts();
}

function renderCharts() {
  const samples = recall(HISTORY_KEY);
  const marks = [...recall(RESTARTS_KEY)];
  for (let i = 1; i < samples.length; i++) {
    const [a, b] = [samples[i - 1], samples[i]];
    if (a.pid !== b.pid || b.restarts > a.restarts) {
      const t = b.ts;
      if (!marks.some((m) => Math.abs(m - t) < 15000)) { marks.push(t); }
    }
  }
  const mib = (v) => `${v.toFixed(1)} MiB`;
  $("chart-memory-caption").textContent = "Memory (RSS): " + lineChart($("chart-memory"),
    samples.map((s) => ({ t: s.ts, v: s.rssBytes / 1048576 })), { label: "now", format: mib }).replace(/^now: /, "");
  $("chart-work-caption").textContent = "Active work: " + lineChart($("chart-work"),
    [...samples.map((s) => ({ t: s.ts, v: s.queueSize + s.activeRuns + Number(s.pendingReplies) + s.activeTasks })), ...page.liveWork]
      .sort((a, b) => a.t - b.t),
    { label: "now", format: (v) => `${v} item(s)` }).replace(/^now: /, "");
  const restarts = marks.filter((m) => m >= Date.now() - HOUR_MS).sort();
  lineChart($("chart-restarts"), restarts.map((t, i) => ({ t, v: i + 1 })), { label: "restarts", format: String, marks: restarts });
  $("chart-restarts-caption").textContent = `Restarts: ${restarts.length} in the last hour` +
    (restarts.length ? `, last at ${new Date(restarts.at(-1)).toLocaleTimeString()}` : "");
}

// ---- formatting ------------------------------------------------------------------------------

function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : m ? `${m} min ${s % 60} s` : `${s} s`;
}

function ago(ms) {
  return `${duration(Date.now() - ms)} ago`;
}

setInterval(renderStatus, 1000);
connect();
