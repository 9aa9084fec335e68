// The dashboard page (GET /dashboard on the telemetry port): the widgets of the stage's CloudWatch dashboard, as
// /api/dashboard reads them from the compiled template and fills them from the local metrics, redrawn every 5 s
// while the page is shown. Each series gets a small line of its recent reads (a count: its growth between reads).
/* global document, fetch, setInterval */

const SVG = 'http://www.w3.org/2000/svg';
const READS_KEPT = 60; // five minutes at one read every 5 s
const history = new Map();

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, String(value));
  for (const child of children.flat()) if (child !== undefined && child !== null) element.append(child);
  return element;
}

function format(value) {
  if (!Number.isFinite(value)) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** A small line chart of `points` (no axes: the number beside it says the scale). */
function sparkline(points) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', '0 0 100 20');
  svg.setAttribute('preserveAspectRatio', 'none');
  const max = Math.max(1, ...points);
  const line = document.createElementNS(SVG, 'polyline');
  const step = 100 / Math.max(1, READS_KEPT - 1);
  const offset = READS_KEPT - points.length;
  line.setAttribute('points', points.map((p, i) => `${((offset + i) * step).toFixed(1)},${(19 - (p / max) * 18).toFixed(1)}`).join(' '));
  line.setAttribute('vector-effect', 'non-scaling-stroke');
  svg.append(line);
  return svg;
}

/** What the line shows: a count's growth since the previous read, anything else as read. */
function remember(key, series) {
  const kept = history.get(key) ?? { last: undefined, points: [] };
  const point = series.type === 'counter' ? (kept.last === undefined ? 0 : Math.max(0, series.value - kept.last)) : series.value;
  kept.last = series.value;
  kept.points = [...kept.points, Number.isFinite(point) ? point : 0].slice(-READS_KEPT);
  history.set(key, kept);
  return kept.points;
}

async function refresh() {
  const container = document.getElementById('widgets');
  try {
    const answer = await fetch('/api/dashboard', { headers: { accept: 'application/json' } });
    if (!answer.ok) throw new Error(`/api/dashboard: ${answer.status}`);
    const { widgets } = await answer.json();
    if (widgets.length === 0) return container.replaceChildren(h('p', { class: 'muted' }, 'The template has no dashboard.'));
    container.replaceChildren(
      ...widgets.map((widget) => {
        const element = h(
          'section',
          { class: 'widget', 'data-title': widget.title },
          h('h2', {}, widget.title),
          widget.markdown ? h('p', {}, widget.markdown) : undefined,
          widget.note ? h('p', { class: 'muted' }, widget.note) : undefined,
          widget.series.length === 0 && !widget.markdown && !widget.note ? h('p', { class: 'muted' }, 'No series yet.') : undefined,
          widget.series.map((series) =>
            h(
              'div',
              { class: 'series', 'data-label': series.label },
              h('span', {}, series.label),
              sparkline(remember(`${widget.title}/${series.label}`, series)),
              h('span', { class: 'value' }, format(series.value)),
            ),
          ),
        );
        element.style.gridColumn = `${widget.x + 1} / span ${widget.width}`;
        return element;
      }),
    );
  } catch (error) {
    container.replaceChildren(h('p', { class: 'muted' }, `Could not read the metrics: ${error.message}`));
  }
}

void refresh();
setInterval(() => {
  if (document.visibilityState === 'visible') void refresh();
}, 5000);
