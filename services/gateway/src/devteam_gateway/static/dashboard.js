// DevTeam Runner dashboard: the public REST API and event WebSockets only, no build step.
// Live by streaming (the tenant's event WebSocket, and the open run's), never by polling;
// every socket resumes with ?after=<last seq> when it closes, so no event is lost or repeated.
"use strict";

const TOKEN_KEY = "devteam.token";
const ACTIVE = new Set(["queued", "running", "paused"]);
const RESUMABLE = new Set(["failed", "blocked", "cancelled"]);
let token = localStorage.getItem(TOKEN_KEY);
const rows = new Map(); // project id → {project, run, done, total, last}
let tenantStream = null;
let runStream = null;
let selected = null; // the run shown below the table

const $ = (id) => document.getElementById(id);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};

async function api(method, path, body, headers = {}) {
  const init = { method, headers: { Authorization: `Bearer ${token}`, ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(path, init);
  if (resp.status === 401) {
    signOut("The token was refused.");
    throw new Error("unauthorized");
  }
  const data = resp.status === 204 ? null : await resp.json();
  if (!resp.ok) {
    const detail = data && data.detail;
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail || resp.statusText));
  }
  return data;
}

// A WebSocket on `path` that reconnects with after=<last seq> whenever it closes (1012: NATS
// restarting, 1013: we fell behind, or the network), until stopped or closed normally (1000).
function follow(path, after, onFrame, onLive) {
  let ws = null;
  let stopped = false;
  let delay = 500;
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    // The token travels as a subprotocol (a header), never in the URL.
    ws = new WebSocket(`${scheme}://${location.host}${path}?after=${after}`, ["devteam.v1", `bearer.${token}`]);
    ws.onopen = () => { delay = 500; if (onLive) onLive(true); };
    ws.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.heartbeat || frame.seq <= after) return;
      after = frame.seq;
      onFrame(frame);
    };
    ws.onclose = (event) => {
      if (onLive) onLive(false);
      if (stopped || event.code === 1000) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 10000);
    };
  };
  open();
  return { stop() { stopped = true; if (ws) ws.close(); } };
}

function leaves(tasks) {
  return tasks.flatMap((t) => (t.children && t.children.length ? leaves(t.children) : [t]));
}

async function refreshProject(id) {
  const row = rows.get(id);
  const runs = await api("GET", `/v1/projects/${encodeURIComponent(id)}/runs?limit=1`);
  row.run = runs.items[0] || null;
  try {
    const tree = await api("GET", `/v1/projects/${encodeURIComponent(id)}/tasks`);
    const all = leaves(tree.tasks);
    row.total = all.length;
    row.done = all.filter((t) => t.state !== "open").length;
  } catch (err) {
    row.total = null;
    row.tasksError = err.message;
  }
  if (row.run && !row.last) {
    let after = 0;
    for (;;) {
      const page = await api("GET", `/v1/runs/${row.run.id}/events?after=${after}&limit=1000`);
      const milestones = page.frames.filter((f) => f.event.type !== "log");
      if (milestones.length) row.last = milestones[milestones.length - 1];
      if (page.frames.length) row.lastSeq = page.next_after;
      if (!page.more) break;
      after = page.next_after;
    }
  }
}

function render() {
  const body = $("projects").querySelector("tbody");
  body.replaceChildren();
  $("no-projects").hidden = rows.size > 0;
  for (const row of rows.values()) {
    const run = row.run;
    const state = run ? run.state : "no runs";
    const progress = row.total === null || row.total === undefined
      ? el("span", { className: "hint", textContent: row.tasksError || "…" })
      : el("span", {}, el("progress", { max: row.total || 1, value: row.done }), ` ${row.done} of ${row.total} tasks`);
    const last = row.last ? `${row.last.event.type}: ${row.last.event.message}` : "";
    const start = el("button", { textContent: "Start run", disabled: Boolean(run && ACTIVE.has(run.state)) });
    start.dataset.action = "start";
    start.onclick = () => startRun(row.project.id).catch(showError);
    const step = el("button", { textContent: "Step: prep", disabled: start.disabled,
      title: "start a step-mode run: PREP, then pause before IMPLEMENT" });
    step.dataset.action = "prep";
    step.onclick = () => startRun(row.project.id, "prep").catch(showError);
    const tr = el("tr", { className: run && run.id === selected ? "selected" : "" },
      el("td", {}, el("strong", { textContent: row.project.name }), el("div", { className: "hint", textContent: row.project.id })),
      el("td", {}, run ? el("a", { href: "#", textContent: run.id, onclick: (e) => { e.preventDefault(); showRun(run.id); } }) : "—"),
      el("td", {}, el("span", { className: `pill ${state}`, textContent: state })),
      el("td", {}, progress),
      el("td", { className: "last", textContent: last }),
      el("td", { className: "row-actions" }, start, step));
    tr.dataset.project = row.project.id;
    body.append(tr);
  }
}

async function startRun(projectId, how = "runs") {
  const body = how === "prep" ? {} : { mode: "continuous" };
  const accepted = await api("POST", `/v1/projects/${encodeURIComponent(projectId)}/${how}`, body,
    { "Idempotency-Key": crypto.randomUUID() });
  await refreshProject(projectId);
  render();
  showRun(accepted.run_id);
}

function onTenantFrame(frame) {
  const event = frame.event;
  const row = rows.get(event.project_id);
  if (!row) { loadProjects().catch(showError); return; }
  if (event.type === "log") return;
  row.last = frame;
  if (event.type.startsWith("run.") || event.type === "task.completed") {
    refreshProject(event.project_id).then(render).catch(showError);
  } else {
    render();
  }
}

async function showRun(runId) {
  if (runStream) runStream.stop();
  selected = runId;
  render();
  $("run").hidden = false;
  $("run-id").textContent = runId;
  $("events").replaceChildren();
  $("logs").textContent = "";
  await refreshRun();
  runStream = follow(`/v1/runs/${runId}/events`, 0, (frame) => {
    const event = frame.event;
    if (event.type === "log") {
      $("logs").textContent += (event.data.lines || []).join("\n") + "\n";
      $("logs").scrollTop = $("logs").scrollHeight;
      return;
    }
    const when = new Date(event.at).toLocaleTimeString();
    $("events").append(el("li", { value: frame.seq },
      el("span", { className: "type", textContent: event.type }), ` ${when} ${event.message}`));
    if (event.type.startsWith("run.") || event.type === "task.completed") refreshRun().catch(showError);
    if (event.type.startsWith("run.") && rows.has(event.project_id)) refreshProject(event.project_id).then(render).catch(showError);
  });
}

// What the run has spent on its model, against its budget where it has one.
function spending(run) {
  const usage = run.usage || {};
  const tokens = (usage.prompt_tokens || 0) + (usage.completion_tokens || 0);
  const budget = run.budget || {};
  let text = `${tokens.toLocaleString()} tokens`;
  if (budget.run_max_tokens) text += ` of ${budget.run_max_tokens.toLocaleString()}`;
  if (usage.cost_usd !== null && usage.cost_usd !== undefined) text += ` · $${usage.cost_usd.toFixed(4)}`;
  if (budget.run_max_cost_usd) text += ` of $${budget.run_max_cost_usd}`;
  return text;
}

// Landing as a pull request: the run's branch and its pull request (a link only to http(s)).
function showPull(run) {
  $("run-pull").hidden = !run.branch;
  $("run-branch").textContent = run.branch || "";
  const pull = run.pull_request;
  const link = $("run-pull-link");
  link.textContent = pull ? `#${pull.number}` : "not opened yet";
  if (pull && /^https?:\/\//.test(pull.url)) link.href = pull.url;
  else link.removeAttribute("href");
}

async function refreshRun() {
  const run = await api("GET", `/v1/runs/${selected}`);
  $("run-state").textContent = run.state;
  $("run-state").className = `pill ${run.state}`;
  const current = run.current ? ` · now: task ${run.current.id} at ${run.current.stage} (attempt ${run.current.attempt})` : "";
  const failure = run.failure ? ` · failed at ${run.failure.stage}: ${run.failure.reason}` : "";
  $("run-summary").textContent = `${run.mode} run of ${run.project_id} · ${run.tasks_done.length} task(s) done${current} · ${spending(run)}${failure}`;
  showPull(run);
  $("cancel").disabled = !ACTIVE.has(run.state);
  $("resume").disabled = !RESUMABLE.has(run.state);
  const next = run.state === "paused" ? run.next_step : null;
  $("step-implement").hidden = next !== "implement";
  $("step-verify").hidden = next !== "verify";
  $("cancel").onclick = () => api("POST", `/v1/runs/${run.id}/cancel`).then(refreshRun).catch(showError);
  $("resume").onclick = () => api("POST", `/v1/runs/${run.id}/resume`, undefined, { "Idempotency-Key": crypto.randomUUID() })
    .then((accepted) => refreshProject(run.project_id).then(render).then(() => showRun(accepted.run_id))).catch(showError);
  for (const step of ["implement", "verify"]) {
    $(`step-${step}`).onclick = () => api("POST", `/v1/projects/${run.project_id}/${step}`, { run_id: run.id },
      { "Idempotency-Key": crypto.randomUUID() }).then(refreshRun).catch(showError);
  }
}

async function loadProjects() {
  const page = await api("GET", "/v1/projects?limit=200");
  for (const project of page.items) {
    if (!rows.has(project.id)) rows.set(project.id, { project });
  }
  await Promise.all(page.items.map((p) => refreshProject(p.id)));
  render();
}

function showError(err) {
  $("error").textContent = err && err.message !== "unauthorized" ? err.message : "";
}

async function signIn() {
  $("login").hidden = true;
  $("app").hidden = false;
  $("logout").hidden = false;
  await loadProjects();
  const after = Math.max(0, ...[...rows.values()].map((r) => r.lastSeq || 0));
  tenantStream = follow("/v1/events", after, onTenantFrame, (live) => {
    $("live").textContent = live ? "live" : "reconnecting";
    $("live").className = `pill ${live ? "on" : "off"}`;
  });
}

function signOut(why) {
  localStorage.removeItem(TOKEN_KEY);
  token = null;
  if (tenantStream) tenantStream.stop();
  if (runStream) runStream.stop();
  rows.clear();
  $("app").hidden = true;
  $("logout").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = why || "";
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").onsubmit = (event) => {
    event.preventDefault();
    token = $("token").value.trim();
    localStorage.setItem(TOKEN_KEY, token);
    $("token").value = "";
    signIn().catch(showError);
  };
  $("logout").onclick = () => signOut("");
  if (token) signIn().catch(showError); else signOut("");
});
