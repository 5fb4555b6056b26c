// pinpipe dashboard: every figure comes from the serving API (/api/v1/) of the same
// server; charts are SVG drawn here, no library, no request leaves the page's origin.
"use strict";

const PALETTE = ["#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#b7791f", "#e53e3e",
                 "#4a5568", "#3182ce", "#9c4221", "#276749"];
const SVG = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);
let timer = null;

function day(d) { return d.toISOString().slice(0, 10); }
function addDays(s, n) { const d = new Date(s + "T00:00:00Z"); d.setUTCDate(d.getUTCDate() + n); return day(d); }
function fmt(n) { return Number(n).toLocaleString("en-US"); }
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function svgEl(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

class Unavailable extends Error {}

async function api(path, params) {
  const q = new URLSearchParams(params).toString();
  const r = await fetch(`/api/v1/${path}${q ? "?" + q : ""}`, { headers: { Accept: "application/json" } });
  const body = await r.json();
  if (r.status === 503) throw new Unavailable(`${body.store || "a store"} is unreachable: ${body.error}`);
  if (!r.ok) throw new Error(`${path}: ${r.status} ${body.error || ""} ${body.parameter || ""}`);
  return body;
}

// ---- renderers -------------------------------------------------------------------

function bars(target, rows, valueName) {
  const box = $(target);
  box.replaceChildren();
  if (!rows.length) { box.append(el("p", { class: "empty" }, "no data")); return; }
  const max = Math.max(...rows.map((r) => r.value), 1);
  for (const r of rows) {
    const row = el("div", { class: "row", "data-key": r.key, "data-value": String(r.value) });
    row.append(el("span", { class: "key", title: r.key }, r.key));
    const bar = el("div", { class: "bar", title: `${r.key}: ${fmt(r.value)} ${valueName || ""}` });
    bar.style.width = `${(100 * r.value) / max}%`;
    row.append(bar, el("span", { class: "value" }, fmt(r.value)));
    box.append(row);
  }
}

// Stacked columns: one per x (day or minute), a segment per key.
function stacked(target, xs, series, opts) {
  const box = $(target);
  box.replaceChildren();
  const W = 900, H = 240, L = 48, B = 30, T = 8, R = 8;
  const totals = xs.map((x) => series.reduce((s, k) => s + (k.values[x] || 0), 0));
  const max = Math.max(...totals, 1);
  const svg = svgEl("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": opts.label });
  const bw = (W - L - R) / Math.max(xs.length, 1);
  for (let t = 0; t <= 4; t++) {
    const v = (max * t) / 4, y = H - B - ((H - B - T) * t) / 4;
    svg.append(svgEl("line", { x1: L, x2: W - R, y1: y, y2: y, stroke: "#e2e8f0" }));
    const lab = svgEl("text", { x: L - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#5f6b76" });
    lab.textContent = fmt(Math.round(v));
    svg.append(lab);
  }
  xs.forEach((x, i) => {
    let y = H - B;
    series.forEach((s, k) => {
      const v = s.values[x] || 0;
      if (!v) return;
      const h = ((H - B - T) * v) / max;
      y -= h;
      const r = svgEl("rect", { x: L + i * bw + bw * 0.1, y, width: Math.max(bw * 0.8, 1), height: h,
                                 fill: s.color || PALETTE[k % PALETTE.length] });
      const tip = svgEl("title");
      tip.textContent = `${x} ${s.key}: ${fmt(v)}`;
      r.append(tip);
      svg.append(r);
    });
    const every = Math.ceil(xs.length / 12);
    if (i % every === 0) {
      const lab = svgEl("text", { x: L + i * bw + bw / 2, y: H - 10, "text-anchor": "middle", "font-size": 11,
                                   fill: "#5f6b76" });
      lab.textContent = opts.xLabel ? opts.xLabel(x) : x;
      svg.append(lab);
    }
  });
  box.append(svg);
  if (series.length > 1) {
    const legend = el("div", { class: "legend" });
    series.forEach((s, k) => {
      const item = el("span");
      const sw = el("i");
      sw.style.background = s.color || PALETTE[k % PALETTE.length];
      item.append(sw, document.createTextNode(s.key));
      legend.append(item);
    });
    box.append(legend);
  }
  box.setAttribute("data-total", String(totals.reduce((a, b) => a + b, 0)));
}

function renderDays(days) {
  const box = $("days");
  box.replaceChildren();
  for (const d of days) {
    const item = el("span", { class: "day", "data-day": d.day, "data-source": d.source, "data-parity": d.parity,
                              title: [d.note, d.incomplete_reason, d.parity_reason].filter(Boolean).join("\n") });
    item.append(document.createTextNode(d.day));
    item.append(el("span", { class: `badge src-${d.source}` }, d.source));
    const p = d.parity === "equal" ? "parity ✓" : d.parity === "different"
      ? `parity ✗ ${d.parity_differences}` : d.parity.replace(/_/g, " ");
    item.append(el("span", { class: `badge par-${d.parity}` }, p));
    if (!d.complete) item.append(el("span", { class: "badge src-none" }, "incomplete"));
    box.append(item);
  }
}

function renderFreshness(f) {
  const s = f.stream, box = $("freshness");
  const ago = (t) => (t ? `${Math.max(0, Math.round((Date.now() - Date.parse(t)) / 1000))} s ago` : "never");
  box.replaceChildren();
  const add = (label, value) => { box.append(document.createTextNode(` ${label} `), el("b", {}, value), " ·"); };
  add("stream lag", s.lag_records === null ? "unknown" : `${fmt(s.lag_records)} records`);
  add("last commit", ago(s.last_commit_at));
  add("newest event", s.newest_event_time ? s.newest_event_time.replace("T", " ").slice(0, 19) : "none");
  const down = Object.entries(f.stores).filter(([, v]) => !v.ok).map(([k]) => k);
  add("stores", down.length ? `unreachable: ${down.join(", ")}` : "all reachable");
}

function byPeriod(rows) {
  const keys = new Map();
  for (const r of rows) keys.set(r.key, (keys.get(r.key) || 0) + r.value);
  return [...keys.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
}

function seriesOf(rows, keys) {
  return keys.map((key) => ({ key, values: Object.fromEntries(rows.filter((r) => r.key === key)
    .map((r) => [r.period, r.value])) }));
}

function renderQuality(days, results) {
  const box = $("quality");
  box.replaceChildren();
  const table = el("table");
  const head = el("tr");
  head.append(el("th", {}, "metric / key"));
  for (const d of days) head.append(el("th", {}, d.day.slice(5)));
  table.append(head);
  for (const [metric, rows] of results) {
    const keys = byPeriod(rows);
    if (!keys.length) {
      const tr = el("tr");
      tr.append(el("td", {}, `${metric}: none`));
      for (let i = 0; i < days.length; i++) tr.append(el("td", {}, "0"));
      table.append(tr);
    }
    for (const key of keys) {
      const tr = el("tr", { "data-metric": metric, "data-key": key });
      tr.append(el("td", {}, `${metric} · ${key}`));
      for (const d of days) {
        const r = rows.find((x) => x.key === key && x.period === d.day);
        tr.append(el("td", {}, r ? fmt(r.value) : "0"));
      }
      table.append(tr);
    }
  }
  box.append(table);
}

// The join's analyses (/api/v1/join, group=all): a small table per panel; a null
// member (no country, no age) shows as "(none)".
function table(target, head, rows) {
  const box = $(target);
  box.replaceChildren();
  if (!rows.length) { box.append(el("p", { class: "empty" }, "no joined posts")); return; }
  const t = el("table");
  const tr = el("tr");
  for (const h of head) tr.append(el("th", {}, h));
  t.append(tr);
  for (const r of rows) {
    const row = el("tr", { "data-key": r[0] });
    for (const c of r) row.append(el("td", {}, c));
    t.append(row);
  }
  box.append(t);
}

function renderJoin(topCat, topUser, ages) {
  const name = (v) => (v === null ? "(none)" : String(v));
  const users = new Map(topUser.rows.map((r) => [name(r.country), r]));
  const countries = [...new Set([...topCat.rows.map((r) => name(r.country)), ...users.keys()])].sort();
  table("join-countries", ["country", "top category", "posts", "top user", "followers"], countries.map((c) => {
    const cat = topCat.rows.find((r) => name(r.country) === c), u = users.get(c);
    return [c, cat ? name(cat.category) : "", cat ? fmt(cat.posts) : "", u ? name(u.user_name) : "",
            u ? fmt(u.followers) : ""];
  }));
  table("join-ages", ["age group", "median followers", "posts"],
        ages.rows.map((r) => [name(r.age_group), String(r.median_followers), fmt(r.posts)]));
}

// ---- the page --------------------------------------------------------------------

async function refresh() {
  const from = $("from").value, to = $("to").value;
  const range = { from, to };
  const banner = $("banner");
  try {
    const [days, cat, topCat, topPoster, topFollowers, media, nulled, invalid, rejected] = await Promise.all([
      api("days", range),
      api("query", { ...range, metric: "pins_by_category", group: "day" }),
      api("top", { ...range, metric: "pins_by_category", top: 10 }),
      api("top", { ...range, metric: "pins_by_poster", top: 10 }),
      api("top", { ...range, metric: "max_followers_by_poster", top: 10 }),
      api("query", { ...range, metric: "pins_by_media_type", group: "all" }),
      api("query", { ...range, metric: "nulled_values", group: "day" }),
      api("query", { ...range, metric: "invalid_values", group: "day" }),
      api("query", { ...range, metric: "rejected_events", group: "day" }),
    ]);
    renderDays(days.days);
    renderFreshness(days.freshness);
    const dayList = days.days.map((d) => d.day);
    const catKeys = byPeriod(cat.rows);
    const shown = catKeys.slice(0, PALETTE.length - 1);
    const series = seriesOf(cat.rows, shown);
    if (catKeys.length > shown.length) {
      const rest = { key: "other", color: "#a0aec0", values: {} };
      for (const r of cat.rows) if (!shown.includes(r.key)) rest.values[r.period] = (rest.values[r.period] || 0) + r.value;
      series.push(rest);
    }
    stacked("by-category", dayList, series, { label: "pins per day by category", xLabel: (x) => x.slice(5) });
    bars("top-categories", topCat.rows, "pins");
    bars("top-posters", topPoster.rows, "pins");
    bars("top-followers", topFollowers.rows, "followers");
    bars("media", media.rows, "pins");
    renderQuality(days.days, [["nulled_values", nulled.rows], ["invalid_values", invalid.rows],
                              ["rejected_events", rejected.rows]]);
    banner.hidden = true;
  } catch (e) {
    banner.textContent = e instanceof Unavailable ? `Cannot answer now — ${e.message}. Retrying.` : String(e.message);
    banner.hidden = false;
  }
  try {
    const join = (analysis) => api("join", { ...range, analysis, group: "all" });
    renderJoin(...(await Promise.all([join("top_category_by_country"), join("top_user_by_country"),
                                      join("median_followers_by_age_group")])));
  } catch (e) {
    if (banner.hidden) { banner.textContent = `Join: ${e.message}`; banner.hidden = false; }
  }
  try {
    const live = await api("live", { minutes: 15, top: 10 });
    const minutes = live.per_minute.map((m) => m.minute);
    stacked("live-minutes", minutes, [{ key: "pins", values: Object.fromEntries(live.per_minute
      .map((m) => [m.minute, m.pins])) }], { label: "pins per minute", xLabel: (x) => x.slice(11, 16) });
    bars("live-posters", live.posters.map((r) => ({ key: r.key, value: r.pins })), "pins");
    bars("live-categories", live.categories.map((r) => ({ key: r.key, value: r.pins })), "pins");
  } catch (e) {
    banner.textContent = `Live view: ${e.message}`;
    banner.hidden = false;
  }
  document.body.setAttribute("data-loaded", String(Date.now()));
}

function schedule() {
  clearInterval(timer);
  if ($("auto").checked) timer = setInterval(refresh, 10000);
}

// The first range: the days that hold data among the last 30, or the last 7 days.
async function start() {
  const params = new URLSearchParams(location.search);
  const today = day(new Date());
  let from = params.get("from"), to = params.get("to");
  if (!from || !to) {
    from = addDays(today, -6);
    to = today;
    try {
      const known = (await api("days", { from: addDays(today, -29), to: today })).days
        .filter((d) => d.stream_holds_day || d.batch_finished_at).map((d) => d.day);
      if (known.length) { from = known[0]; to = known[known.length - 1]; }
    } catch (e) { /* refresh() shows the error */ }
  }
  $("from").value = from;
  $("to").value = to;
  $("range").addEventListener("submit", (ev) => { ev.preventDefault(); refresh(); });
  $("auto").addEventListener("change", schedule);
  await refresh();
  schedule();
}

document.addEventListener("DOMContentLoaded", start);
