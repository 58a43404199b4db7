// Small line charts as inline SVG (no library): a polyline over the last hour, and a text
// summary next to it, so the trend reads without colour and without the picture.

const SVG = "http://www.w3.org/2000/svg";
const HOUR_MS = 60 * 60 * 1000;

function element(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) { node.setAttribute(key, String(value)); }
  return node;
}

/** Draws points [{t, v}] of the last hour into container; marks [t] are drawn as vertical lines. */
export function lineChart(container, points, { label, format, marks = [], now = Date.now() }) {
  const width = 300, height = 80;
  const shown = points.filter((p) => p.t >= now - HOUR_MS);
  // Less than an hour of data (a young gateway, a new tab) is spread over the width, at least five minutes of it.
  const from = Math.max(now - HOUR_MS, Math.min(now - 5 * 60 * 1000, ...shown.map((p) => p.t), ...marks));
  const span = now - from;
  const max = Math.max(1, ...shown.map((p) => p.v));
  const x = (t) => ((t - from) / span) * width;
  const y = (v) => height - 2 - (v / max) * (height - 6);
  const svg = element("svg", { viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: "none", role: "img" });
  const title = element("title", {});
  const last = shown.at(-1);
  title.textContent = `${label}: ${last ? format(last.v) : "no data"}, highest ${format(shown.length ? max : 0)} in the last hour`;
  svg.append(title, element("path", { class: "axis", d: `M0 ${height - 1} H${width}` }));
  for (const t of marks.filter((m) => m >= now - HOUR_MS)) {
    svg.append(element("line", { class: "mark", x1: x(t), x2: x(t), y1: 0, y2: height }));
  }
  if (shown.length > 0) {
    const coordinates = shown.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`);
    if (shown.length === 1) { coordinates.push(`${width},${y(shown[0].v).toFixed(1)}`); }
    svg.append(element("polyline", { class: "line", points: coordinates.join(" ") }));
  }
  container.replaceChildren(svg);
  return title.textContent;
}
