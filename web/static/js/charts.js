// The dashboard's bar charts as SVG: labelled axes and a scale. Each is drawn at its box's own width, so
// its text keeps its size on a phone instead of shrinking with the drawing.
const NS = "http://www.w3.org/2000/svg";
const H = 170, LEFT = 48, RIGHT = 8, TOP = 10, BOTTOM = 42;

function el(tag, attrs, text) {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceMax(value) {
  if (value <= 4) return Math.max(1, Math.ceil(value));
  const step = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * step).find((m) => m >= value) || value;
}

// bars: [{value, second?, title}]; ticks: [{at (bar index), label}]; axes: {y, x} titles.
export function barChart(bars, { ticks, yTitle, xTitle, width = 600 }) {
  const W = Math.max(280, Math.round(width));
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}` });
  const plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
  const top = niceMax(Math.max(0, ...bars.map((b) => b.value)));
  for (const fraction of [0, 0.5, 1]) {
    const value = top * fraction;
    if (!Number.isInteger(value)) continue; // counts: whole numbers on the scale
    const y = TOP + plotH * (1 - fraction);
    svg.append(el("line", { x1: LEFT, x2: W - RIGHT, y1: y, y2: y, class: "grid" }));
    svg.append(el("text", { x: LEFT - 6, y: y + 5, "text-anchor": "end", class: "axis" }, value));
  }
  const bw = plotW / Math.max(1, bars.length);
  bars.forEach((b, i) => {
    const x = LEFT + i * bw;
    const height = (b.value / top) * plotH;
    const rect = el("rect", { x: (x + bw * 0.1).toFixed(1), y: (TOP + plotH - height).toFixed(1),
      width: Math.max(1, bw * 0.8).toFixed(1), height: height.toFixed(1), class: "col" });
    rect.append(el("title", {}, b.title));
    svg.append(rect);
    if (b.second) {
      const h2 = (b.second / top) * plotH;
      svg.append(el("rect", { x: (x + bw * 0.3).toFixed(1), y: (TOP + plotH - h2).toFixed(1),
        width: Math.max(1, bw * 0.4).toFixed(1), height: h2.toFixed(1), class: "col second" }));
    }
  });
  for (const t of ticks) {
    const x = LEFT + (t.at + 0.5) * bw;
    svg.append(el("line", { x1: x, x2: x, y1: TOP + plotH, y2: TOP + plotH + 4, class: "grid" }));
    svg.append(el("text", { x, y: TOP + plotH + 19, "text-anchor": "middle", class: "axis" }, t.label));
  }
  svg.append(el("text", { x: LEFT + plotW / 2, y: H - 4, "text-anchor": "middle", class: "axis title" }, xTitle));
  svg.append(el("text", { x: 10, y: TOP + plotH / 2, "text-anchor": "middle", class: "axis title",
    transform: `rotate(-90 10 ${TOP + plotH / 2})` }, yTitle));
  return { svg, top };
}

// The last hour, a bar a minute, oldest first.
export function lastHourChart(perMinute, width) {
  const n = perMinute.length;
  const bars = perMinute.map((v, i) => ({ value: v, title: `${n - 1 - i} min ago: ${v} ${v === 1 ? "call" : "calls"}` }));
  const ticks = [60, 45, 30, 15, 0].map((ago) => ({ at: Math.min(n - 1, n - 1 - ago + (ago === 60 ? 1 : 0)), label: String(ago) }));
  return barChart(bars, { ticks, yTitle: "calls", xTitle: "minutes ago", width });
}

// The campaign's history: a bar an hour for up to three days, else a bar a day.
export function historyChart(hours, timeZone, width) {
  const byDay = hours.length > 72;
  const fmt = new Intl.DateTimeFormat([], byDay ? { timeZone, month: "short", day: "numeric" } : { timeZone, weekday: "short", hour: "numeric" });
  const groups = new Map();
  for (const row of hours) {
    const at = new Date(row.hour);
    const key = byDay ? at.toLocaleDateString("en-CA", { timeZone }) : row.hour;
    const g = groups.get(key) || { label: fmt.format(at), calls: 0, conversations: 0 };
    g.calls += row.calls;
    g.conversations += row.conversations;
    groups.set(key, g);
  }
  const list = [...groups.values()];
  const bars = list.map((g) => ({ value: g.calls, second: g.conversations, title: `${g.label}: ${g.calls} calls, ${g.conversations} conversations` }));
  const every = Math.max(1, Math.ceil(list.length / Math.max(2, Math.floor(width / 110))));
  const ticks = list.map((g, i) => ({ at: i, label: g.label })).filter((_, i) => i % every === 0);
  return barChart(bars, {
    ticks, width, yTitle: byDay ? "per day" : "per hour", xTitle: `calls, conversations darker (${timeZone})`,
  });
}
