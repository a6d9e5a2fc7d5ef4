// The checkpoint page: reads /cairn/jobs and /cairn/jobs/JOB from the member that served it, once a
// second, and draws what they say. Everything from a job's record reaches the page as text nodes or
// attribute values (never as markup), and the charts are SVG drawn here: no other file, no other site.
"use strict";

(function () {
  const REFRESH_MILLIS = 1000;
  const BACKLOG_SAMPLES = 300; // per pipeline, since the page opened
  const SVG = "http://www.w3.org/2000/svg";

  let selectedJob = null; // job id shown below the list
  let selectedCheckpoint = null; // "pipeline/id" whose ack times are shown
  const backlogSeries = new Map(); // "job/pipeline" -> [{t, v}], sampled by this page
  let lastDetail = null;
  let refreshing = false; // one refresh at a time: a slow member must not pile requests up

  // ------------------------------------------------------------------ small DOM helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    children.forEach((c) => node.append(c instanceof Node ? c : document.createTextNode(String(c))));
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    setAttrs(node, attrs);
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function setAttrs(node, attrs) {
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (v !== undefined && v !== null) node.setAttribute(k, String(v));
    });
  }

  function byId(id) {
    return document.getElementById(id);
  }

  const number = new Intl.NumberFormat("en-US");

  function time(millis) {
    return millis > 0 ? new Date(millis).toLocaleTimeString("en-GB", { hour12: false }) : "-";
  }

  function bytes(n) {
    if (n < 1024) return n + " B";
    if (n < 1024 * 1024) return (n / 1024).toFixed(1) + " KiB";
    return (n / 1024 / 1024).toFixed(1) + " MiB";
  }

  // ------------------------------------------------------------------ data

  async function getJson(path) {
    const response = await fetch(path, { cache: "no-store", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(path + ": HTTP " + response.status);
    return response.json();
  }

  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    try {
      const jobs = await getJson("../jobs");
      if (selectedJob === null && jobs.length > 0) selectedJob = jobs[0].jobId;
      drawJobs(jobs);
      if (selectedJob !== null && jobs.some((j) => j.jobId === selectedJob)) {
        const detail = await getJson("../jobs/" + encodeURIComponent(selectedJob));
        sampleBacklog(detail);
        lastDetail = detail;
        drawJob(detail);
      } else {
        byId("job").hidden = true;
      }
      const status = byId("status");
      status.textContent = "updated " + time(Date.now());
      status.className = "status";
    } catch (e) {
      const status = byId("status");
      status.textContent = "cannot read the statistics: " + e.message;
      status.className = "status error";
    } finally {
      refreshing = false;
    }
  }

  function sampleBacklog(detail) {
    const now = Date.now();
    detail.pipelines.forEach((p) => {
      const key = detail.jobId + "/" + p.pipeline;
      const series = backlogSeries.get(key) || [];
      series.push({ t: now, v: p.flushBacklog });
      while (series.length > BACKLOG_SAMPLES) series.shift();
      backlogSeries.set(key, series);
    });
  }

  // ------------------------------------------------------------------ the job list

  function drawJobs(jobs) {
    const body = byId("jobs").tBodies[0];
    body.replaceChildren();
    byId("no-jobs").hidden = jobs.length > 0;
    jobs.forEach((job) => {
      const last = job.lastCheckpointId >= 0
        ? "#" + job.lastCheckpointId + " (" + job.lastCheckpointMillis + " ms, " + bytes(job.lastCheckpointBytes) + ")"
        : "none";
      const storage = job.storageError ? el("span", { class: "bad" }, "failing") : "ok";
      const row = el("tr", { class: "job-row clickable" + (job.jobId === selectedJob ? " selected" : "") },
        el("td", { class: "job-id" }, job.jobId),
        el("td", { class: "state-" + job.state }, job.state),
        el("td", { class: "num" }, number.format(job.checkpointsCompleted)),
        el("td", { class: "num" }, number.format(job.checkpointsCommitted)),
        el("td", { class: "num" }, number.format(job.checkpointsFailed)),
        el("td", { class: "num" }, number.format(job.flushBacklog)),
        el("td", { class: "num" }, number.format(job.restarts)),
        el("td", {}, last),
        el("td", {}, storage));
      row.dataset.job = job.jobId;
      row.addEventListener("click", () => {
        selectedJob = job.jobId;
        selectedCheckpoint = null;
        location.hash = "job=" + encodeURIComponent(job.jobId);
        refresh();
      });
      body.append(row);
    });
  }

  // ------------------------------------------------------------------ one job

  function drawJob(job) {
    byId("job").hidden = false;
    byId("job-title").replaceChildren("Job " + job.jobId + " ", el("span", { class: "state-" + job.state }, job.state));
    byId("job-message").textContent = [
      job.message,
      "commit after " + job.commitAfter,
      "restored from " + job.restoredFrom,
      "master epoch " + job.epoch,
    ].filter((s) => s).join(" · ");
    showBanner("job-warning", job.warning);
    showBanner("job-storage-error", job.storageError ? "Storage failing: " + job.storageError : null);

    const container = byId("pipelines");
    container.replaceChildren();
    const pipelines = job.pipelines.length > 0
      ? job.pipelines
      : [...new Set(job.checkpoints.map((c) => c.pipeline))].map((name) => ({ pipeline: name }));
    pipelines.forEach((p) => container.append(drawPipeline(job, p)));
  }

  function showBanner(id, text) {
    const banner = byId(id);
    banner.hidden = !text;
    banner.textContent = text || "";
  }

  function drawPipeline(job, p) {
    const history = job.checkpoints.filter((c) => c.pipeline === p.pipeline);
    const section = el("div", { class: "pipeline" });
    section.dataset.pipeline = p.pipeline;
    section.append(el("h3", {}, "Pipeline " + p.pipeline));
    if (p.checkpointsCompleted !== undefined) section.append(tiles(p));
    const charts = el("div", { class: "charts" });
    const done = history.filter((c) => c.status !== "FAILED");
    charts.append(chart("Checkpoint duration (ms)", "duration", history, (c) => c.durationMillis, job, p));
    charts.append(chart("State size (bytes)", "size", done, (c) => c.stateBytes, job, p));
    charts.append(progressChart(history));
    charts.append(backlogChart(job, p));
    section.append(charts);
    section.append(legend());
    const shown = history.find((c) => key(c) === selectedCheckpoint);
    section.append(el("div", { class: "details" },
      checkpointTable(history, p),
      shown ? acks(shown) : el("div", { class: "acks muted" }, "Click a checkpoint for its tasks' ack times.")));
    return section;
  }

  function tiles(p) {
    const gap = p.lastCheckpointId >= 0 && p.lastCommittedId >= 0 ? p.lastCheckpointId - p.lastCommittedId : null;
    const tile = (label, value, cls, alert) => {
      const t = el("div", { class: "tile " + cls + (alert ? " alert" : "") },
        el("div", { class: "label" }, label), el("div", { class: "value" }, value));
      return t;
    };
    return el("div", { class: "tiles" },
      tile("completed", number.format(p.checkpointsCompleted) + (p.lastCheckpointId >= 0 ? "  (#" + p.lastCheckpointId + ")" : ""), "completed"),
      tile("committed", number.format(p.checkpointsCommitted) + (p.lastCommittedId >= 0 ? "  (#" + p.lastCommittedId + ")" : ""), "committed"),
      tile("completed − committed", p.lastCheckpointId < 0 ? "-" : (gap === null ? "#" + p.lastCheckpointId + " vs none" : gap + " ids"), "gap", gap !== null && gap > 1),
      tile("storage owes", number.format(p.flushBacklog), "backlog", p.flushBacklog > 1),
      tile("failed", number.format(p.checkpointsFailed), "failed", p.checkpointsFailed > 0),
      tile("restarts", number.format(p.restarts), "restarts", p.restarts > 0),
      tile("storage errors", number.format(p.storageErrors), "storage-errors", p.storageError !== null));
  }

  function legend() {
    const item = (cls, text) => [el("span", { class: "swatch " + cls }), text];
    return el("div", { class: "legend" }, "Points: ",
      ...item("committed", "committed"), ...item("completed", "stored, not yet committed"),
      ...item("pending", "completed, not in storage"), ...item("failed", "failed"),
      " · click a point or a row for the tasks' ack times");
  }

  function status(c) {
    if (c.status === "FAILED") return "failed";
    if (c.status === "COMMITTED") return "committed";
    return c.flushedAt >= 0 ? "completed" : "pending";
  }

  function statusText(c) {
    switch (status(c)) {
      case "failed": return "failed: " + c.failureReason;
      case "committed": return "committed";
      case "completed": return "stored";
      default: return "not in storage";
    }
  }

  function key(c) {
    return c.pipeline + "/" + c.id;
  }

  function select(c) {
    selectedCheckpoint = key(c);
    if (lastDetail) drawJob(lastDetail);
  }

  // ------------------------------------------------------------------ charts (SVG)

  const W = 460, H = 170, L = 56, R = 10, T = 10, B = 24;

  function frame(title, name) {
    const box = el("div", { class: "chart chart-" + name });
    box.append(el("h4", {}, title));
    const plot = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": title, class: name });
    box.append(plot);
    return [box, plot];
  }

  function scales(plot, xs, ys) {
    const x0 = Math.min(...xs), x1 = Math.max(...xs);
    const y1 = Math.max(1, ...ys) * 1.1;
    const sx = (x) => L + (x1 === x0 ? (W - L - R) / 2 : (x - x0) / (x1 - x0) * (W - L - R));
    const sy = (y) => H - B - (y / y1) * (H - T - B);
    plot.append(svg("line", { class: "axis", x1: L, y1: H - B, x2: W - R, y2: H - B }));
    plot.append(svg("line", { class: "axis", x1: L, y1: T, x2: L, y2: H - B }));
    [0, 0.5, 1].forEach((f) => {
      const v = y1 / 1.1 * f;
      plot.append(svg("text", { class: "tick", x: L - 4, y: sy(v) + 3, "text-anchor": "end" }, short(v)));
    });
    plot.append(svg("text", { class: "tick", x: L, y: H - 8 }, time(x0)));
    plot.append(svg("text", { class: "tick", x: W - R, y: H - 8, "text-anchor": "end" }, time(x1)));
    return [sx, sy];
  }

  function short(v) {
    if (v >= 1e9) return (v / 1e9).toFixed(1) + "G";
    if (v >= 1e6) return (v / 1e6).toFixed(1) + "M";
    if (v >= 1e4) return (v / 1e3).toFixed(0) + "k";
    const rounded = Math.round(v * 10) / 10;
    return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
  }

  function empty(plot, text) {
    plot.append(svg("text", { class: "empty", x: W / 2, y: H / 2, "text-anchor": "middle" }, text));
  }

  /** One point per checkpoint: x its trigger time, y what {@code value} reads from it. */
  function chart(title, name, checkpoints, value) {
    const [box, plot] = frame(title, name);
    if (checkpoints.length === 0) {
      empty(plot, "no checkpoint yet");
      return box;
    }
    const [sx, sy] = scales(plot, checkpoints.map((c) => c.triggeredAt), checkpoints.map(value));
    checkpoints.forEach((c) => {
      const point = svg("circle", {
        class: "point " + status(c) + (key(c) === selectedCheckpoint ? " selected" : ""),
        cx: sx(c.triggeredAt).toFixed(1), cy: sy(value(c)).toFixed(1), r: 3.5,
      });
      point.dataset.checkpoint = c.id;
      point.append(svg("title", {}, "#" + c.id + ": " + value(c) + " (" + statusText(c) + ")"));
      point.addEventListener("click", () => select(c));
      plot.append(point);
    });
    return box;
  }

  /** The latest completed and the latest committed id over time: the gap between them is what sinks wait for. */
  function progressChart(history) {
    const [box, plot] = frame("Completed vs committed (checkpoint id)", "progress");
    const done = history.filter((c) => c.status !== "FAILED");
    const completed = done.map((c) => ({ t: c.endedAt !== undefined ? c.endedAt : c.triggeredAt + c.durationMillis, v: c.id }));
    const committed = done.filter((c) => c.committedAt >= 0).map((c) => ({ t: c.committedAt, v: c.id }));
    if (completed.length === 0) {
      empty(plot, "no checkpoint yet");
      return box;
    }
    const now = Date.now();
    const all = completed.concat(committed);
    const [sx, sy] = scales(plot, all.map((p) => p.t).concat([now]), all.map((p) => p.v));
    plot.append(steps(completed, now, sx, sy, "series-completed"));
    if (committed.length > 0) plot.append(steps(committed, now, sx, sy, "series-committed"));
    return box;
  }

  function steps(points, now, sx, sy, cls) {
    const sorted = points.slice().sort((a, b) => a.t - b.t);
    let d = "M" + sx(sorted[0].t).toFixed(1) + "," + sy(sorted[0].v).toFixed(1);
    let level = sorted[0].v;
    sorted.slice(1).forEach((p) => {
      d += " H" + sx(p.t).toFixed(1);
      level = Math.max(level, p.v);
      d += " V" + sy(level).toFixed(1);
    });
    d += " H" + sx(now).toFixed(1);
    return svg("path", { class: cls, d: d });
  }

  function backlogChart(job, p) {
    const [box, plot] = frame("Storage owes (since this page opened)", "backlog");
    const series = backlogSeries.get(job.jobId + "/" + p.pipeline) || [];
    if (series.length < 2) {
      empty(plot, "sampling…");
      return box;
    }
    const [sx, sy] = scales(plot, series.map((s) => s.t), series.map((s) => s.v));
    plot.append(steps(series, series[series.length - 1].t, sx, sy, "series-backlog"));
    return box;
  }

  // ------------------------------------------------------------------ checkpoints and their acks

  function checkpointTable(history, p) {
    const table = el("table", { class: "grid" },
      el("thead", {}, el("tr", {},
        el("th", { class: "num" }, "id"), el("th", {}, "type"), el("th", {}, "status"),
        el("th", {}, "triggered"), el("th", { class: "num" }, "duration"), el("th", { class: "num" }, "state"),
        el("th", { class: "num" }, "stored in"), el("th", {}, "slowest task"))));
    const body = el("tbody");
    history.slice().reverse().forEach((c) => {
      const row = el("tr", { class: "checkpoint-row clickable" + (key(c) === selectedCheckpoint ? " selected" : "") },
        el("td", { class: "num" }, "#" + c.id),
        el("td", {}, c.type.toLowerCase() + (c.final ? " (final)" : "")),
        el("td", { class: status(c) === "failed" ? "bad wrap" : "wrap", title: c.failure || "" }, statusText(c)),
        el("td", {}, time(c.triggeredAt)),
        el("td", { class: "num" }, c.durationMillis + " ms"),
        el("td", { class: "num" }, bytes(c.stateBytes)),
        el("td", { class: "num" }, c.flushMillis >= 0 ? c.flushMillis + " ms" : "-"),
        el("td", {}, c.slowestTask + " (" + c.slowestAckMillis + " ms)"));
      row.dataset.checkpoint = c.id;
      row.addEventListener("click", () => select(c));
      body.append(row);
    });
    table.append(body);
    return el("div", { class: "checkpoints" }, table);
  }

  function acks(c) {
    const entries = Object.entries(c.ackMillis || {}).sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
    const max = Math.max(1, c.slowestAckMillis, ...entries.map((e) => e[1]));
    const box = el("div", { class: "acks", id: "acks" });
    box.append(el("h4", {}, "Checkpoint #" + c.id + " of pipeline " + c.pipeline + ": ack times after the trigger"));
    if (c.status === "FAILED") {
      box.append(el("p", { class: "bad" }, "failed (" + c.failureReason + "): " + c.failure));
    }
    entries.forEach(([task, ms]) => {
      const bar = el("div", { class: "bar" });
      bar.style.width = (ms / max * 100).toFixed(1) + "%";
      const row = el("div", { class: "row ack" + (task === c.slowestTask ? " slowest" : "") },
        el("span", { class: "task" }, task), el("div", {}, bar), el("span", { class: "ms" }, ms + " ms"));
      box.append(row);
    });
    if (c.status === "FAILED" && !(c.slowestTask in (c.ackMillis || {}))) {
      box.append(el("div", { class: "row ack missing" },
        el("span", { class: "task" }, c.slowestTask), el("div", {}, el("div", { class: "bar" })),
        el("span", { class: "ms" }, "no ack")));
    }
    if (entries.length === 0 && c.status !== "FAILED") box.append(el("p", { class: "muted" }, "no ack times recorded"));
    return box;
  }

  // ------------------------------------------------------------------ start

  function fromHash() {
    const match = /^#job=(.+)$/.exec(location.hash);
    if (match) {
      try {
        selectedJob = decodeURIComponent(match[1]);
      } catch (e) {
        selectedJob = null;
      }
    }
  }

  window.addEventListener("hashchange", () => {
    fromHash();
    refresh();
  });
  fromHash();
  refresh();
  setInterval(refresh, REFRESH_MILLIS);
})();
