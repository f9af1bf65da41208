extension AdminUIAssets {
    /// `/admin/assets/app.js`, compiled in (no file is read at run time): the views of every
    /// admin page, drawn from the JSON admin API with DOM calls (no framework, no innerHTML).
    static let script = #"""
// Switchboard admin UI. Plain DOM, no framework: each page's <body data-view> names the view
// this script draws into #content from the JSON admin API. Text goes in with textContent
// only (never innerHTML), so nothing the API returns is ever read as markup.
"use strict";

const page = document.body.dataset;
// What the enabled plugins serve (`integrity-report`, `integrity-stream`, `integrity-review`).
const features = (page.features || "").split(" ").filter(Boolean);
const content = () => document.getElementById("content");

// ---- small DOM helpers --------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = String(value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces a node's children, leaving out absent ones (conditional parts of a view). */
function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((child) => child !== undefined && child !== null && child !== false));
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

function notice(text, kind) {
  const box = document.getElementById("notice");
  box.textContent = text;
  box.className = "notice " + (kind || "ok");
  box.hidden = !text;
}

function section(title, ...children) {
  return el("section", { class: "card" }, el("h2", { text: title }), ...children);
}

function table(columns, rows, options) {
  const opts = options || {};
  if (!rows.length) return el("p", { class: "muted", text: opts.empty || "Nothing here." });
  return el("div", { class: "scroll" },
    el("table", { id: opts.id },
      el("thead", {}, el("tr", {}, columns.map((c) => el("th", { text: c.title })))),
      el("tbody", {}, rows.map((row) => el("tr", { "data-id": row.id }, columns.map((c) => {
        const value = c.render ? c.render(row) : row[c.key];
        return el("td", { "data-label": c.title }, value instanceof Node ? value : text(value));
      }))))));
}

function text(value) {
  if (value === undefined || value === null || value === "") return "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// ---- formatting ---------------------------------------------------------------------------

function percent(rate) {
  return typeof rate === "number" ? (Math.round(rate * 1000) / 10).toFixed(1) + "%" : "—";
}

function time(value) {
  if (value === undefined || value === null || value === "") return "—";
  const date = new Date(value);
  return isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** `+2126••••59`: enough to tell numbers apart, not enough to call one. */
function maskPhone(value) {
  if (typeof value !== "string" || value.length < 8) return text(value);
  if (value.includes("•")) return value;
  return value.slice(0, 5) + "••••" + value.slice(-2);
}

// ---- the API ------------------------------------------------------------------------------

class APIError extends Error {
  constructor(status, body) {
    super((body && body.error && body.error.message) || "HTTP " + status);
    this.status = status;
    this.code = body && body.error && body.error.code;
  }
}

async function api(path, options) {
  const response = await fetch(path, Object.assign({ credentials: "same-origin", headers: { Accept: "application/json" } }, options || {}));
  if (response.status === 401) {
    location.assign("/admin/login?next=" + encodeURIComponent(location.pathname));
    throw new APIError(401, null);
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new APIError(response.status, body);
  return body;
}

function post(path, body) {
  return api(path, { method: "POST", headers: { "Content-Type": "application/json", Accept: "application/json" },
                     body: JSON.stringify(body || {}) });
}

function query(params) {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  return pairs.length ? "?" + new URLSearchParams(pairs).toString() : "";
}

/** The capture-rate report: Integrity's when it is enabled, else the kernel's, as one shape. */
async function report() {
  if (features.includes("integrity-report")) {
    const r = await api("/integrity");
    return {
      integrity: true, total: r.total, resolved: r.resolved, pending: r.pending, unresolved: r.unresolved,
      conflicts: r.conflicts, capture_rate: r.capture_rate, status: r.status, thresholds: r.thresholds, reasons: r.reasons || [],
      alerts: Array.isArray(r.alerts) ? r.alerts : null, inbox: r.inbox || {}, sources: r.sources || {},
      by_day: (r.by_day || []).map(normalizeDay), by_source: normalizeSources(r.by_source),
    };
  }
  const [r, dead, rejected] = await Promise.all([
    api("/api/admin/phones/report"),
    api("/api/admin/jobs?status=dead&limit=1000"),
    api("/api/admin/inbox/rejections?since=24h&limit=1000"),
  ]);
  return {
    integrity: false, total: r.subjects, resolved: r.resolved, pending: r.pending, unresolved: r.unresolved,
    conflicts: r.conflict, capture_rate: r.capture_rate, status: null, alerts: null, sources: null,
    inbox: { dead_jobs: dead.items.length, rejected_24h: rejected.items.length },
    by_day: (r.by_day || []).map(normalizeDay), by_source: normalizeSources(r.by_source),
  };
}

function normalizeDay(day) {
  const total = day.subjects !== undefined ? day.subjects : day.total;
  let rate = day.capture_rate !== undefined ? day.capture_rate : day.rate;
  if (rate === undefined && total) rate = day.resolved / total;
  return { day: day.day || day.date, total: total, resolved: day.resolved, rate: rate };
}

function normalizeSources(value) {
  if (Array.isArray(value)) return value.map((s) => ({ source: s.source, count: s.subjects !== undefined ? s.subjects : s.count }));
  return Object.entries(value || {}).map(([source, v]) => ({ source: source, count: typeof v === "object" && v ? (v.subjects !== undefined ? v.subjects : v.count) : v }));
}

// ---- Overview -----------------------------------------------------------------------------

function dayChart(days) {
  if (!days.length) return el("p", { class: "muted", text: "No subjects yet." });
  const width = Math.max(320, days.length * 28), height = 160, top = 10, bottom = 30, barWidth = width / days.length;
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", id: "day-chart",
                             "aria-label": "Capture rate per day" });
  chart.append(svg("line", { x1: 0, y1: top, x2: width, y2: top, class: "grid" }));
  days.forEach((d, i) => {
    const rate = typeof d.rate === "number" ? d.rate : 0;
    const h = Math.max(1, rate * (height - top - bottom));
    const x = i * barWidth + barWidth * 0.15;
    const bar = svg("rect", { x: x, y: height - bottom - h, width: barWidth * 0.7, height: h,
                              class: rate >= 0.95 ? "bar good" : rate >= 0.8 ? "bar warn" : "bar bad" });
    bar.append(svg("title", {}, `${d.day}: ${percent(d.rate)} (${d.resolved}/${d.total})`));
    chart.append(bar);
    if (days.length <= 14 || i % Math.ceil(days.length / 14) === 0) {
      chart.append(svg("text", { x: x + barWidth * 0.35, y: height - 12, class: "label", "text-anchor": "middle" }, String(d.day).slice(5)));
    }
  });
  return chart;
}

function alertsOf(r) {
  if (r.alerts) {
    // Integrity's firing alerts, then the reasons for its status.
    const alerts = r.alerts.map((a) => (typeof a === "string" ? a : `${a.message || a.alert}${a.since ? " (since " + time(a.since) + ")" : ""}`));
    return alerts.concat((r.reasons || []).filter((reason) => !alerts.includes(reason)));
  }
  const alerts = [];
  if (r.status && r.status !== "ok") alerts.push(`Status ${r.status}: capture rate ${percent(r.capture_rate)}`);
  if (r.unresolved) alerts.push(`${r.unresolved} answer(s) without a phone number need review`);
  if (r.conflicts) alerts.push(`${r.conflicts} conflicting number(s) need review`);
  if (r.inbox && r.inbox.dead_jobs) alerts.push(`${r.inbox.dead_jobs} dead job(s)`);
  if (r.inbox && r.inbox.rejected_24h) alerts.push(`${r.inbox.rejected_24h} webhook(s) rejected in the last 24 h`);
  return alerts;
}

async function overview() {
  const r = await report();
  const status = r.status;
  fill(content(),
    el("div", { class: "hero card" },
      el("div", {},
        el("div", { class: "big", id: "capture-rate", text: percent(r.capture_rate) }),
        el("div", { class: "muted", text: "of answers have their phone number" })),
      r.status ? el("div", {}, el("span", { class: "status status-" + String(status).replace(/\W/g, ""), id: "status", text: status })) : null),
    el("div", { class: "counts" },
      [["Subjects", r.total, "count-total"], ["Resolved", r.resolved, "count-resolved"], ["Pending", r.pending, "count-pending"],
       ["Unresolved", r.unresolved, "count-unresolved"], ["Conflicts", r.conflicts, "count-conflicts"],
       ["Dead jobs", r.inbox.dead_jobs, "count-dead"], ["Rejected (24 h)", r.inbox.rejected_24h, "count-rejected"]]
        .map(([label, value, id]) => el("div", { class: "count card" }, el("div", { class: "n", id: id, text: text(value) }), el("div", { class: "muted", text: label })))),
    section("Capture rate per day", dayChart(r.by_day)),
    section("Alerts", (() => {
      const alerts = alertsOf(r);
      return alerts.length ? el("ul", { id: "alerts" }, alerts.map((a) => el("li", { text: a }))) : el("p", { id: "alerts", class: "muted", text: "No alerts." });
    })()),
    section("Sources of phone numbers", table([{ title: "Source", key: "source" }, { title: "Subjects", key: "count" }], r.by_source, { empty: "No phone resolved yet." })),
    r.sources ? section("Webhook sources: last seen", table([{ title: "Plugin", key: "plugin" }, { title: "Last seen", render: (s) => time(s.last_seen) },
      { title: "", render: (s) => s.silent ? el("span", { class: "status status-critical", text: "silent" }) : "" }],
      Object.entries(r.sources).map(([plugin, s]) => ({ plugin: plugin, last_seen: s && s.last_seen, silent: s && s.silent })), { id: "sources", empty: "No webhook seen yet." }))
      : section("Webhook sources", el("p", { class: "muted", text: "Enable the Integrity plugin to see when each source last sent." })),
  );
}

// ---- Responses ----------------------------------------------------------------------------

async function responses() {
  const params = new URLSearchParams(location.search);
  const filters = { flow: params.get("flow") || "", status: params.get("status") || "", has_phone: params.get("has_phone") || "",
                    since: params.get("since") || "" };
  const select = (name, options) => el("select", { name: name, id: "filter-" + name },
    options.map(([value, label]) => el("option", { value: value, selected: filters[name] === value, text: label })));
  const form = el("form", { class: "filters card", id: "filters" },
    el("label", {}, "Flow ", el("input", { name: "flow", id: "filter-flow", value: filters.flow, placeholder: "any" })),
    el("label", {}, "Status ", select("status", [["", "any"], ["completed", "completed"], ["in_progress", "in progress"]])),
    el("label", {}, "Phone ", select("has_phone", [["", "any"], ["true", "with phone"], ["false", "without phone"]])),
    el("label", {}, "Since ", select("since", [["", "any time"], ["24h", "24 hours"], ["7d", "7 days"], ["30d", "30 days"]])),
    el("button", { type: "submit", text: "Apply" }));
  const csv = el("a", { id: "csv-link", class: "button", href: "/metaflow/responses.csv" + query(filters), download: "responses.csv", text: "Download CSV" });
  const list = el("div", { id: "responses" });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form).entries());
    history.replaceState(null, "", location.pathname + query(data));
    responses().catch(failed);
  });
  fill(content(), form, el("p", {}, csv), list);
  const rows = [];
  const load = async (after) => {
    const page = await api("/metaflow/responses" + query(Object.assign({}, filters, { after: after, limit: 100 })));
    rows.push(...page.responses);
    fill(list,
      el("p", { class: "muted", id: "responses-count", text: `${rows.length} response(s)${page.next !== null ? " so far" : ""}` }),
      table([
        { title: "#", key: "id" }, { title: "Flow", key: "flow" },
        { title: "Phone", render: (r) => el("span", { class: "phone", text: text(r.phone_number) }) },
        { title: "Source", key: "phone_source" }, { title: "Status", key: "status" },
        { title: "Created", render: (r) => time(r.created_at) },
        { title: "Answers", render: (r) => el("code", { text: JSON.stringify(r.answers) }) },
      ], rows, { id: "responses-table", empty: "No response matches." }),
      page.next !== null ? el("button", { type: "button", onclick: () => load(page.next).catch(failed), text: "More" }) : null);
  };
  await load();
}

// ---- Review -------------------------------------------------------------------------------

// With Integrity, the review queue is its own (dismissals, the operator's notes); else the
// kernel's phone queues.
const reviewAPI = () => features.includes("integrity-review")
  ? { list: "/integrity/review?limit=200", assign: "/integrity/review/assign", subject: "/integrity/review/subject", dismiss: "/integrity/review/dismiss" }
  : { list: "/api/admin/phones/subjects?limit=500", assign: "/api/admin/phones/assign", subject: "/api/admin/phones/subject", dismiss: null };

async function review() {
  const [r, queue] = await Promise.all([report(), api(reviewAPI().list)]);
  const rows = queue.items.filter((s) => s.status !== "resolved" && !s.dismissed);
  fill(content(),
    el("p", { class: "card" }, "Capture rate ", el("strong", { id: "review-capture-rate", text: percent(r.capture_rate) }),
       ` — ${text(r.unresolved)} unresolved, ${text(r.conflicts)} in conflict, ${text(r.pending)} still being retried.`),
    rows.length ? el("div", { id: "review-queue" }, rows.map(reviewItem)) : el("p", { id: "review-queue", class: "muted", text: "The review queue is empty." }));
}

function reviewItem(subject) {
  const phone = el("input", { name: "phone", placeholder: "+212…", required: true, inputmode: "tel", "aria-label": "Phone number" });
  const note = el("input", { name: "note", placeholder: "note (why)", "aria-label": "Note" });
  const details = el("div", { class: "details" });
  const form = el("form", { class: "assign" }, phone, note, el("button", { type: "submit", text: "Assign" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await post(reviewAPI().assign, { subject: subject.subject, phone: phone.value, note: note.value || null });
      notice(`Assigned ${answer.phone} to ${answer.subject}.`, "ok");
      await review();
    } catch (error) { failed(error); }
  });
  const buttons = [el("button", { type: "button", class: "secondary", text: "What was tried", onclick: async () => {
    try { fill(details, subjectDetails(await api(reviewAPI().subject + query({ subject: subject.subject })))); } catch (error) { failed(error); }
  } })];
  if (reviewAPI().dismiss) {
    buttons.push(el("button", { type: "button", class: "secondary danger", text: "Dismiss", onclick: async () => {
      // A dismissal is recorded with the operator's reason: the note field, or asked for now.
      const reason = note.value || prompt(`Why dismiss ${subject.subject}? It leaves the queue without a number.`);
      if (!reason) return;
      try {
        await post(reviewAPI().dismiss, { subject: subject.subject, note: reason });
        notice(`Dismissed ${subject.subject}.`, "ok");
        await review();
      } catch (error) { failed(error); }
    } }));
  }
  return el("article", { class: "card review-item", "data-subject": subject.subject },
    el("h3", {}, el("code", { text: subject.subject }), " ", el("span", { class: "status status-" + subject.status, text: subject.status })),
    el("p", { class: "muted" }, `key ${subject.key} · ${subject.rounds} round(s)${subject.flow ? " · flow " + subject.flow : ""} · since ${time(subject.created_at)}`),
    subject.tried ? el("p", { class: "muted", text: "Tried: " + subject.tried }) : null,
    form, el("div", { class: "actions" }, buttons), details);
}

function subjectDetails(d) {
  return el("div", {},
    table([{ title: "Round", key: "round" }, { title: "Strategy", key: "strategy" }, { title: "Outcome", key: "outcome" },
           { title: "Detail", key: "detail" }, { title: "At", render: (a) => time(a.at) }],
          Array.isArray(d.attempts) ? d.attempts : d.attempt_log || [], { empty: "No attempt recorded." }),
    (d.actions || []).length ? el("ul", {}, d.actions.map((a) => el("li", { text: typeof a === "string" ? a : `${a.action || a.kind || "action"}${a.note ? ": " + a.note : ""}${a.at ? " (" + time(a.at) + ")" : ""}` }))) : null,
    (d.disagreements || []).length ? table([{ title: "Kept", render: (x) => `${x.kept_phone} (${x.kept_source})` },
      { title: "Other", render: (x) => `${x.other_phone} (${x.other_source})` }, { title: "At", render: (x) => time(x.at) }], d.disagreements) : null,
    (d.linked_keys || []).length ? el("p", { class: "muted", text: "Linked keys: " + d.linked_keys.join(", ") }) : null);
}

// ---- Monitor ------------------------------------------------------------------------------

const streamKinds = ["message.received", "message.sent", "message.status", "call.ended", "flow.response.saved", "phone.resolved"];

function monitor() {
  const state = el("span", { id: "stream-state", class: "status", text: "connecting" });
  const timeline = el("ol", { id: "timeline", class: "timeline" });
  fill(content(), el("p", { class: "card" }, "Live: ", state, " — newest first; phones are masked."), timeline);
  const source = new EventSource("/integrity/stream");
  source.onopen = () => { state.textContent = "live"; state.className = "status status-ok"; };
  source.onerror = () => { state.textContent = "reconnecting"; state.className = "status status-warning"; };
  const show = (event) => {
    let data;
    try { data = JSON.parse(event.data); } catch (error) { return; }
    const arrow = data.direction === "in" || data.direction === "inbound" ? "←" : data.direction === "out" || data.direction === "outbound" ? "→" : "·";
    timeline.prepend(el("li", { class: "event kind-" + String(data.kind || event.type).replace(/\W/g, "-"), "data-id": event.lastEventId },
      el("time", { text: time(data.at) }), el("span", { class: "kind", text: data.kind || event.type }),
      el("span", { class: "channel", text: `${arrow} ${text(data.channel)}` }), el("span", { class: "phone", text: maskPhone(data.phone) }),
      el("span", { class: "summary", text: text(data.summary) })));
    while (timeline.children.length > 300) timeline.lastChild.remove();
  };
  for (const kind of streamKinds) source.addEventListener(kind, show);
  source.onmessage = show;
}

// ---- Inbox & jobs -------------------------------------------------------------------------

async function inbox() {
  const [items, rejections, dead] = await Promise.all([
    api("/api/admin/inbox?since=24h&limit=1000"), api("/api/admin/inbox/rejections?since=7d&limit=1000"), api("/api/admin/jobs?status=dead&limit=500"),
  ]);
  const recent = items.items.slice(-100).reverse();
  const action = (label, path, done) => el("button", { type: "button", class: "secondary", text: label, onclick: async () => {
    try { notice(done(await post(path)), "ok"); await inbox(); } catch (error) { failed(error); }
  } });
  fill(content(),
    section("Dead jobs", table([
      { title: "Job", key: "id" }, { title: "Name", key: "name" }, { title: "Attempts", render: (j) => `${j.attempt}/${j.max_attempts}` },
      { title: "Last error", render: (j) => el("span", { class: "error-text", text: text(j.last_error) }) },
      { title: "Finished", render: (j) => time(j.finished_at) },
      { title: "", render: (j) => action("Retry", `/api/admin/jobs/${j.id}/retry`, () => `Job ${j.id} will run again.`) },
    ], dead.items, { id: "dead-jobs", empty: "No dead job." })),
    section(`Webhooks, last 24 h (newest ${recent.length} of ${items.items.length}${items.next !== null ? "+" : ""})`, table([
      { title: "#", key: "id" }, { title: "Plugin", key: "plugin" }, { title: "Route", key: "route" }, { title: "Status", key: "status" },
      { title: "Received", render: (i) => time(i.received_at) }, { title: "Bytes", key: "size" },
      { title: "Error", render: (i) => el("span", { class: "error-text", text: text(i.error) }) },
      { title: "", render: (i) => i.status === "duplicate" ? "" : action("Replay", `/api/admin/inbox/${i.id}/replay`,
          (a) => a.result === "queued" ? `Webhook ${i.id} queued again (job ${a.job_id}).` : `Webhook ${i.id} is already queued (${a.job_status}).`) },
    ], recent, { id: "inbox-items", empty: "No webhook in the last 24 hours." })),
    section("Rejected webhooks, last 7 days (bodies are never kept)", table([
      { title: "Time", render: (x) => time(x.time) }, { title: "Plugin", key: "plugin" }, { title: "Route", key: "route" },
      { title: "Reason", key: "reason" }, { title: "Bytes", key: "size" }, { title: "From", key: "remote_address" },
    ], rejections.items.slice().reverse(), { id: "rejections", empty: "No rejected webhook." })),
  );
}

// ---- Plugin panels ------------------------------------------------------------------------

async function panel() {
  const all = await api("/api/admin/panels");
  const spec = all.panels.find((p) => p.id === page.panel);
  if (!spec) { fill(content(), el("p", { class: "muted", text: "This panel is not available." })); return; }
  const rows = [];
  const list = el("div", { id: "panel-rows" });
  const cell = (column, row) => {
    const value = row[column.key];
    switch (column.format) {
      case "time": return time(value);
      case "phone": return maskPhone(value);
      case "flag": return value === true ? "✓" : value === false ? "✗" : text(value);
      default: return text(value);
    }
  };
  const actionPath = (path, row) => path.replace(/:([a-z_][a-z0-9_]*)/gi, (_, name) => encodeURIComponent(String(row[name] === undefined ? "" : row[name])));
  const columns = spec.columns.map((c) => ({ title: c.title, render: (row) => cell(c, row) }));
  if (spec.actions.length) {
    columns.push({ title: "", render: (row) => el("span", { class: "actions" }, spec.actions.map((a) => el("button", {
      type: "button", class: "secondary", text: a.title, onclick: async () => {
        if (a.confirm && !confirm(a.confirm)) return;
        try { await post(actionPath(a.path, row)); notice(`${a.title}: done.`, "ok"); } catch (error) { failed(error); }
      } }))) });
  }
  const load = async (after) => {
    const answer = await api(spec.source + query({ after: after }));
    rows.push(...(answer[spec.rows_key] || []));
    fill(list, el("div", { class: "card" }, table(columns, rows, { id: "panel-table" })),
      typeof answer.next === "string" ? el("button", { type: "button", onclick: () => load(answer.next).catch(failed), text: "More" }) : null);
  };
  fill(content(), list);
  await load();
}

// ---- start --------------------------------------------------------------------------------

function failed(error) {
  if (error && error.status === 401) return;
  notice((error && error.message) || String(error), "error");
}

const views = { overview: overview, responses: responses, review: review, monitor: monitor, inbox: inbox, panel: panel };

document.addEventListener("DOMContentLoaded", () => {
  const view = views[page.view];
  if (!view) return;
  Promise.resolve().then(view).catch((error) => {
    failed(error);
    const box = content();
    if (box && box.textContent === "Loading…") fill(box);
  });
});
"""#
}
