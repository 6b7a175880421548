/* Live monitor: draws the `metrics` messages and the events pushed over /ws/monitor/.
   Falls back to the SSE stream when the websocket cannot open. No dependencies besides the
   vendored Chart.js (optional: numbers still update without it). */
(function () {
  "use strict";
  const root = document.getElementById("monitor");
  if (!root) return;
  const HISTORY = 60; // points per chart
  const connection = document.getElementById("connection");

  function get(obj, path) {
    return path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
  }
  function format(value, kind) {
    if (value === null || value === undefined) return "–";
    if (kind === "percent") return (value * 100).toFixed(1) + "%";
    if (kind === "money") return Number(value).toFixed(2);
    if (kind === "time") return new Date(value).toLocaleTimeString();
    return String(value);
  }
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  const charts = {};
  function chart(id, labels) {
    if (!window.Chart || !document.getElementById(id)) return null;
    return new window.Chart(document.getElementById(id), {
      type: "line",
      data: { labels: [], datasets: labels.map((label) => ({ label, data: [], tension: 0.3, pointRadius: 0 })) },
      options: { animation: false, maintainAspectRatio: false, scales: { x: { display: false }, y: { beginAtZero: true } } },
    });
  }
  function push(c, label, values) {
    if (!c) return;
    c.data.labels.push(label);
    values.forEach((v, i) => c.data.datasets[i].data.push(v));
    if (c.data.labels.length > HISTORY) {
      c.data.labels.shift();
      c.data.datasets.forEach((d) => d.data.shift());
    }
    c.update();
  }

  function drawMetrics(m) {
    root.querySelectorAll("[data-metric]").forEach((node) => {
      const value = get(m, node.dataset.metric);
      if (value !== undefined) node.textContent = format(value, node.dataset.format);
    });
    document.getElementById("issues").replaceChildren(...m.health.issues.map((t) => el("li", {}, t)));
    root.dataset.health = m.health.score;
    const queues = document.getElementById("queues");
    queues.replaceChildren(
      ...Object.entries(m.queues).map(([name, depth]) => {
        const row = el("tr");
        row.append(el("th", {}, name), el("td", { "data-metric": "queues." + name }, depth === null ? "?" : depth));
        return row;
      })
    );
    const breakers = Object.entries(m.breakers);
    if (breakers.length) {
      document.getElementById("breakers").replaceChildren(...breakers.map(([n, s]) => el("li", { class: "mon-" + s }, n + ": " + s)));
    }
    m.scrapers.forEach((s) => {
      const card = root.querySelector('[data-scraper="' + s.id + '"]');
      if (!card) return;
      card.classList.toggle("mon-stale", s.stale);
      card.querySelector('[data-field="status"]').textContent = s.status;
      card.querySelector('[data-field="heartbeat_age_s"]').textContent = s.heartbeat_age_s === null ? "never" : s.heartbeat_age_s;
      const toggle = card.querySelector('[data-field="toggle"]');
      toggle.dataset.enabled = s.enabled ? "1" : "0";
      toggle.textContent = s.enabled ? "Stop" : "Start";
      toggle.classList.toggle("cs-btn-no", s.enabled);
    });
    drawAlerts(m.alerts);
    const t = new Date(m.at).toLocaleTimeString();
    charts.requests = charts.requests || chart("chart-requests", ["req/s", "p95 ms"]);
    charts.work = charts.work || chart("chart-work", ["tasks/min", "failed/min", "posts/min"]);
    charts.queues = charts.queues || chart("chart-queues", Object.keys(m.queues));
    push(charts.requests, t, [m.requests.per_second, m.requests.p95_ms]);
    push(charts.work, t, [m.tasks.per_minute, m.tasks.failed_per_minute, m.ai.posts_per_minute]);
    push(charts.queues, t, Object.values(m.queues));
  }

  function drawAlerts(alerts) {
    const list = document.getElementById("alerts");
    if (!alerts.length) {
      list.replaceChildren(el("li", { class: "cs-muted", "data-empty": "" }, "No open alerts."));
      return;
    }
    list.replaceChildren(...alerts.map((a) => el("li", { class: "mon-" + a.severity, "data-alert": a.id }, a.message)));
  }

  function addEvent(msg) {
    const list = document.getElementById("events");
    const summary = msg.data && (msg.data.message || msg.data.target || msg.data.name || msg.data.id || "");
    list.prepend(el("li", { "data-type": msg.type }, new Date(msg.at).toLocaleTimeString() + " " + msg.type + " " + summary));
    while (list.children.length > 100) list.lastChild.remove();
    if (msg.type === "log") addLog(msg.data);
  }

  function addLog(line) {
    const body = document.getElementById("logs");
    if ((body.dataset.level && body.dataset.level !== line.level) || (body.dataset.source && !line.source.startsWith(body.dataset.source))) return;
    body.querySelectorAll("[data-empty]").forEach((n) => n.remove());
    const row = el("tr", { class: "mon-" + line.level });
    row.append(el("td", {}, new Date(line.created_at).toLocaleString()), el("td", {}, line.level), el("td", {}, line.source), el("td", {}, line.message));
    body.prepend(row);
  }

  function handle(msg) {
    if (msg.type === "metrics") drawMetrics(msg);
    else addEvent(msg);
  }

  function setState(state) {
    connection.dataset.state = state;
    connection.textContent = state;
  }

  let socket = null;
  root.addEventListener("click", async (e) => {
    const button = e.target.closest('[data-field="toggle"]');
    if (!button) return;
    button.disabled = true;
    const url = button.dataset.enabled === "1" ? button.dataset.stop : button.dataset.start;
    const response = await fetch(url, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": root.dataset.csrf } });
    button.disabled = false;
    if (!response.ok) { button.textContent = "failed (" + response.status + ")"; return; }
    // Fresh numbers at once rather than at the next tick.
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: "refresh" }));
  });

  let retry = 1000;
  function connectSocket() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const ws = (socket = new WebSocket(scheme + location.host + root.dataset.wsPath));
    let opened = false;
    ws.onopen = () => { opened = true; retry = 1000; setState("live (websocket)"); };
    ws.onmessage = (e) => handle(JSON.parse(e.data));
    ws.onclose = (e) => {
      if (e.code === 4403) { setState("signed out: reload to sign in"); return; }
      if (!opened) { connectStream(); return; } // websocket not available here: use SSE
      setState("reconnecting…");
      setTimeout(connectSocket, retry);
      retry = Math.min(retry * 2, 30000);
    };
  }
  function connectStream() {
    const source = new EventSource(root.dataset.ssePath);
    source.onopen = () => setState("live (SSE)");
    source.onmessage = (e) => handle(JSON.parse(e.data));
    ["metrics", "scrape_run.started", "scrape_run.finished", "ai_batch.finished", "alert", "alert.resolved", "log", "breaker.changed", "scraper.changed"].forEach((type) =>
      source.addEventListener(type, (e) => handle(JSON.parse(e.data)))
    );
    source.addEventListener("close", () => { source.close(); setState("signed out: reload to sign in"); });
    source.onerror = () => setState("reconnecting…");
  }
  connectSocket();
})();
