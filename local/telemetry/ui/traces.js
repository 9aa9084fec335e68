// The traces page (GET / on the telemetry port, served by local/telemetry/server.ts): recent requests by correlation
// id, and one request's whole saga as a waterfall, read from /api/traces (OTLP/JSON) and /api/logs. Generic over the
// spans: whatever hops the stack recorded are drawn; nothing here knows the saga's steps.
// A file of its own, not an inline script, so the page's CSP can say script-src 'self'.
/* global document, window, fetch, URLSearchParams, setInterval */

const SVG = 'http://www.w3.org/2000/svg';
const KINDS = { 1: 'internal', 2: 'server', 3: 'client', 4: 'producer', 5: 'consumer' };
const SHORT_SERVICE = {
  'AWS::ApiGateway::Stage': 'API Gateway',
  'AWS::Lambda::Function': 'Lambda',
  'AWS::Events::EventBus': 'EventBridge',
  'AWS::SQS::Queue': 'SQS',
  'AWS::DynamoDB::Stream': 'DynamoDB stream',
  'AWS::DynamoDB::Table': 'DynamoDB',
};

const params = new URLSearchParams(window.location.search);
const correlationId = params.get('correlationId');
const state = { spans: [], logs: new Map(), selected: undefined, drawn: '' };

/** An element with attributes (`class`, `data-*`, ...) and children (strings become text: nothing is parsed as HTML). */
function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes))
    if (value !== undefined && value !== false) element.setAttribute(name, String(value));
  for (const child of children.flat()) if (child !== undefined && child !== null) element.append(child);
  return element;
}

const valueOf = (v) => v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue));
const millis = (nanos) => Number(BigInt(nanos) / 1000n) / 1000;
const xrayId = (w3c) => `1-${w3c.slice(0, 8)}-${w3c.slice(8)}`;
const duration = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

/** The spans of an OTLP/JSON answer, flat, with times in ms and attributes as an object. */
function spansOf(otlp) {
  return otlp.resourceSpans.flatMap((resource) => {
    const service = valueOf(resource.resource.attributes.find((a) => a.key === 'service.name')?.value ?? { stringValue: '?' });
    return resource.scopeSpans.flatMap((scope) =>
      scope.spans.map((span) => {
        const attributes = Object.fromEntries(span.attributes.map((a) => [a.key, valueOf(a.value)]));
        return {
          traceId: span.traceId,
          spanId: span.spanId,
          parentSpanId: span.parentSpanId,
          name: span.name,
          kind: KINDS[span.kind] ?? 'internal',
          service,
          start: millis(span.startTimeUnixNano),
          end: millis(span.endTimeUnixNano),
          error: span.status?.code === 2,
          localOnly: attributes['local.only'] === true,
          attributes,
          links: span.links ?? [],
        };
      }),
    );
  });
}

/**
 * The rows in causal order: traces by their first start (a linked trace starts after its producer sent), and inside a
 * trace each span under its parent, siblings by start. A hidden span's children hang from its nearest shown ancestor.
 */
function rowsOf(spans) {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const traces = new Map();
  for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
  const ordered = [...traces.values()].sort((a, b) => Math.min(...a.map((s) => s.start)) - Math.min(...b.map((s) => s.start)));
  const rows = [];
  const headed = new Set();
  ordered.forEach((trace, traceIndex) => {
    const children = new Map();
    const roots = [];
    for (const span of trace) {
      const parent = span.parentSpanId && byId.get(span.parentSpanId);
      if (parent && parent.traceId === span.traceId) children.set(parent.spanId, [...(children.get(parent.spanId) ?? []), span]);
      else roots.push(span);
    }
    const visit = (span, depth) => {
      rows.push({ span, depth, traceIndex, traceHead: !headed.has(traceIndex) });
      headed.add(traceIndex);
      for (const child of (children.get(span.spanId) ?? []).sort((a, b) => a.start - b.start)) visit(child, depth + 1);
    };
    for (const root of roots.sort((a, b) => a.start - b.start)) visit(root, 0);
  });
  return rows;
}

/** The spans X-Ray would show on AWS (no local-only ones), re-parented past what is hidden. */
function xrayView(spans) {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const shown = spans.filter((span) => !span.localOnly);
  return shown.map((span) => {
    let parent = span.parentSpanId && byId.get(span.parentSpanId);
    while (parent && parent.localOnly) parent = parent.parentSpanId && byId.get(parent.parentSpanId);
    return { ...span, parentSpanId: parent ? parent.spanId : undefined };
  });
}

function traceNote(row, rows) {
  const { span } = row;
  if (span.attributes['aws.stream.break'] === true) return 'a stream batch starts a new root: a stream carries no trace context';
  if (span.links.length > 0) {
    const producers = span.links.map((link) => rows.find((r) => r.span.spanId === link.spanId)).filter(Boolean);
    const names = [...new Set(producers.map((r) => `trace ${r.traceIndex + 1}`))].join(', ');
    return `linked to ${span.links.length} producer${span.links.length > 1 ? 's' : ''}${names ? ` (${names})` : ''}`;
  }
  return span.service === 'AWS::ApiGateway::Stage' ? 'started by the request' : 'a new trace';
}

/** An EMF line (Powertools' metrics, printed once per invocation) as `name=value ...`. */
function emfSummary(line) {
  const names = (line._aws.CloudWatchMetrics ?? []).flatMap((directive) => (directive.Metrics ?? []).map((metric) => metric.Name));
  return names.map((name) => `${name}=${JSON.stringify(line[name])}`).join(' ');
}

function logsOfSpan(span) {
  const lines = state.logs.get(span.traceId) ?? [];
  if (span.service !== 'AWS::Lambda::Function') return [];
  const fn = span.attributes['aws.lambda.function_name'];
  return lines.filter((record) => record.line.function_name === undefined || record.line.function_name === fn);
}

function render() {
  const waterfall = document.getElementById('waterfall');
  const xrayOnly = document.getElementById('xray-only').checked;
  const spans = xrayOnly ? xrayView(state.spans) : state.spans;
  const rows = rowsOf(spans);
  const hidden = state.spans.length - spans.length;
  const start = Math.min(...spans.map((s) => s.start));
  const end = Math.max(...spans.map((s) => s.end));
  const total = Math.max(end - start, 1);
  const traces = new Set(spans.map((s) => s.traceId)).size;
  document.getElementById('summary').textContent =
    spans.length === 0
      ? 'No spans for this correlation id (yet): the page looks again every few seconds.'
      : `${spans.length} spans in ${traces} trace${traces > 1 ? 's' : ''} over ${duration(total)}` +
        (hidden > 0
          ? `; ${hidden} local-only span${hidden > 1 ? 's' : ''} hidden (DynamoDB calls: X-Ray shows them only with an SDK in the bundle)`
          : '');

  const list = h('div', { class: 'rows', role: 'list' });
  for (const row of rows) {
    const { span } = row;
    if (row.traceHead) {
      list.append(
        h(
          'div',
          { class: `trace-head${span.attributes['aws.stream.break'] === true ? ' stream-break' : ''}`, 'data-trace-id': span.traceId },
          h('strong', {}, `Trace ${row.traceIndex + 1}`),
          ` ${xrayId(span.traceId)} · ${traceNote(row, rows)}`,
        ),
      );
    }
    const logs = logsOfSpan(span);
    const label = h(
      'span',
      { class: 'label' },
      h('span', { class: 'service' }, SHORT_SERVICE[span.service] ?? span.service),
      h('span', { class: 'name', title: span.name }, span.name),
      span.localOnly ? h('span', { class: 'badge local' }, 'local only') : undefined,
      span.error ? h('span', { class: 'badge error' }, 'error') : undefined,
      logs.length > 0 ? h('span', { class: 'badge logs' }, `${logs.length} log line${logs.length > 1 ? 's' : ''}`) : undefined,
    );
    label.style.paddingLeft = `${row.depth * 1.1}em`;
    const bar = h('span', { class: `bar kind-${span.kind}${span.error ? ' error' : ''}` });
    bar.style.left = `${((span.start - start) / total) * 100}%`;
    bar.style.width = `${Math.max(((span.end - span.start) / total) * 100, 0.3)}%`;
    const element = h(
      'div',
      {
        class: `row${span.localOnly ? ' local-only' : ''}${span.error ? ' error' : ''}${state.selected === span.spanId ? ' selected' : ''}`,
        role: 'listitem',
        tabindex: 0,
        'data-span-id': span.spanId,
        'data-trace-id': span.traceId,
        'data-name': span.name,
        'data-local-only': span.localOnly ? 'true' : undefined,
      },
      label,
      h('span', { class: 'timeline' }, bar, h('span', { class: 'duration' }, duration(span.end - span.start))),
    );
    element.addEventListener('click', () => select(span.spanId));
    element.addEventListener('keydown', (event) => {
      if (event.key === 'Enter') select(span.spanId);
    });
    list.append(element);
  }
  waterfall.replaceChildren(list);
  drawLinks(list, spans);
  renderDetails();
}

/** A curve from each producer's bar to the batch it linked to (another trace), over the rows. */
function drawLinks(list, spans) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'links');
  svg.setAttribute('aria-hidden', 'true');
  list.append(svg);
  const box = list.getBoundingClientRect();
  svg.setAttribute('width', String(box.width));
  svg.setAttribute('height', String(box.height));
  const barOf = (spanId) => list.querySelector(`.row[data-span-id="${spanId}"] .bar`);
  for (const span of spans) {
    for (const link of span.links) {
      const from = barOf(link.spanId);
      const to = barOf(span.spanId);
      if (!from || !to) continue;
      const a = from.getBoundingClientRect();
      const b = to.getBoundingClientRect();
      const x1 = a.left - box.left;
      const y1 = a.top + a.height / 2 - box.top;
      const x2 = b.left - box.left;
      const y2 = b.top + b.height / 2 - box.top;
      const bend = Math.max(24, (y2 - y1) / 3);
      const path = document.createElementNS(SVG, 'path');
      path.setAttribute('d', `M ${x1} ${y1} C ${x1 - bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`);
      path.setAttribute('class', 'link');
      path.setAttribute('data-from', link.spanId);
      path.setAttribute('data-to', span.spanId);
      svg.append(path);
    }
  }
}

function select(spanId) {
  state.selected = state.selected === spanId ? undefined : spanId;
  for (const row of document.querySelectorAll('.row')) row.classList.toggle('selected', row.dataset.spanId === state.selected);
  renderDetails();
}

function renderDetails() {
  const details = document.getElementById('details');
  const span = state.spans.find((s) => s.spanId === state.selected);
  details.hidden = !span;
  if (!span) return details.replaceChildren();
  const logs = logsOfSpan(span);
  const parts = [
    h('h3', {}, `${span.name} `, h('span', { class: 'muted' }, `${span.service} · ${span.kind} · ${duration(span.end - span.start)}`)),
    h(
      'table',
      {},
      h(
        'tbody',
        {},
        Object.entries({ trace: xrayId(span.traceId), span: span.spanId, parent: span.parentSpanId ?? '(root)', ...span.attributes }).map(
          ([key, value]) => h('tr', {}, h('th', {}, key), h('td', {}, String(value))),
        ),
      ),
    ),
    span.links.length > 0
      ? h('p', {}, 'Linked to: ', span.links.map((link) => `${xrayId(link.traceId)} / ${link.spanId}`).join(', '))
      : undefined,
    h(
      'h4',
      {},
      span.service === 'AWS::Lambda::Function' ? `Log lines of this invocation (${logs.length})` : 'Log lines: see its invocation',
    ),
    logs.length > 0
      ? h(
          'pre',
          { class: 'logs' },
          logs
            .map(({ line }) => {
              if (line._aws) return `${new Date(line._aws.Timestamp).toISOString()} METRICS ${emfSummary(line)}`;
              const { timestamp, level, message, ...rest } = line;
              const extra = Object.fromEntries(
                Object.entries(rest).filter(([key]) => !/^(xray_trace_id|service|function_|cold_start|sampling_rate)/.test(key)),
              );
              return `${timestamp ?? ''} ${level ?? ''} ${message ?? ''} ${JSON.stringify(extra)}`;
            })
            .join('\n'),
        )
      : undefined,
  ];
  details.replaceChildren(...parts.filter(Boolean));
}

async function getJson(path) {
  const answer = await fetch(path, { headers: { accept: 'application/json' } });
  if (!answer.ok) throw new Error(`${path}: ${answer.status}`);
  return answer.json();
}

async function loadCorrelations() {
  const { correlations } = await getJson('/api/correlations');
  const list = document.getElementById('correlations');
  list.replaceChildren(
    ...(correlations.length === 0
      ? [h('li', { class: 'muted' }, 'None yet: send a request (x-correlation-id sets its id).')]
      : correlations.map((c) =>
          h(
            'li',
            { class: c.correlationId === correlationId ? 'current' : undefined },
            h('a', { href: `/?correlationId=${encodeURIComponent(c.correlationId)}` }, c.correlationId),
            h('span', { class: 'muted' }, ` ${new Date(c.startTime).toLocaleTimeString()} · ${c.name}`),
          ),
        )),
  );
}

async function loadSaga() {
  const spans = spansOf(await getJson(`/api/traces?correlationId=${encodeURIComponent(correlationId)}`));
  const traceIds = [...new Set(spans.map((s) => s.traceId))];
  await Promise.all(
    traceIds.map(async (id) => {
      const { logs } = await getJson(`/api/logs?traceId=${encodeURIComponent(xrayId(id))}`);
      state.logs.set(id, logs);
    }),
  );
  state.spans = spans;
  // Drawn again only when something arrived (a click's selection survives the refreshes).
  const drawn = `${spans.length}/${[...state.logs.values()].reduce((n, logs) => n + logs.length, 0)}`;
  if (drawn !== state.drawn) render();
  state.drawn = drawn;
}

async function refresh() {
  try {
    await loadCorrelations();
    if (correlationId) await loadSaga();
  } catch (error) {
    document.getElementById('summary').textContent = `Could not read the stack's telemetry: ${error.message}`;
  }
}

document.getElementById('xray-only').addEventListener('change', render);
window.addEventListener('resize', () => correlationId && render());
if (correlationId) {
  document.getElementById('saga-title').textContent = `Saga of ${correlationId}`;
  document.getElementById('correlation-input').value = correlationId;
}
void refresh();
// Only while the page is shown: a stack nobody looks at is asked nothing.
setInterval(() => {
  if (document.visibilityState === 'visible') void refresh();
}, 3000);
