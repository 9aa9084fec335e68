/**
 * The template's own CloudWatch dashboard (resources/dashboard.yml, as compiled) drawn from the local metrics: each
 * widget's metrics, written as CloudWatch writes them (rows with "." and "...", SEARCH expressions), are matched to the
 * Prometheus series of local/telemetry/metrics.ts, so the local dashboard shows what the stage's dashboard would.
 * A metric with no local series (Lambda throttles: nothing throttles locally) is listed as such, not invented.
 */
import type { Registry } from 'prom-client';
import type { CfnTemplate } from '../cloudformation.js';
import { shortFunctionName } from './hooks.js';

type MetricRow = Array<string | Record<string, unknown>>;

export interface DashboardWidget {
  title: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** One CloudWatch metric or SEARCH expression each. */
  metrics: WidgetMetric[];
  /** A text widget's markdown. */
  markdown?: string;
  /** Why a widget shows nothing locally (an alarm or log widget: no local counterpart). */
  note?: string;
}

export type WidgetMetric =
  | { kind: 'metric'; namespace: string; name: string; dimensions: Record<string, string>; stat: string }
  | { kind: 'search'; namespace: string; terms: Record<string, string>; stat: string; expression: string };

export interface WidgetSeries {
  label: string;
  /** Counters grow (the page draws their increase); gauges and quantiles are read as they are. */
  type: 'counter' | 'gauge';
  value: number;
}

/** Substitutes `${Name}` in a Fn::Sub string from its variables and the pseudo parameters; `${!x}` is the literal `${x}`. */
function substitute(text: string, variables: Record<string, unknown>, pseudo: Record<string, string>): string {
  return text.replace(/\$\{(!?)([^}]+)\}/g, (whole, literal: string, name: string) => {
    if (literal) return `\${${name}}`;
    const value = variables[name] ?? pseudo[name];
    return typeof value === 'string' || typeof value === 'number' ? String(value) : whole;
  });
}

/** CloudWatch's shorthand: "." repeats the previous row's item at that place, "..." all its leading items. */
function expandRows(rows: MetricRow[]): MetricRow[] {
  const expanded: MetricRow[] = [];
  let previous: MetricRow = [];
  for (const row of rows) {
    const options = row.filter((item) => typeof item === 'object');
    let items = row.filter((item): item is string => typeof item === 'string');
    const previousItems = previous.filter((item): item is string => typeof item === 'string');
    if (items[0] === '...') items = [...previousItems.slice(0, previousItems.length - (items.length - 1)), ...items.slice(1)];
    items = items.map((item, i) => (item === '.' ? (previousItems[i] ?? item) : item));
    const full = [...items, ...options];
    expanded.push(full);
    previous = full;
  }
  return expanded;
}

function widgetMetric(row: MetricRow, defaultStat: string): WidgetMetric | undefined {
  const options = (row.find((item) => typeof item === 'object') ?? {}) as { expression?: unknown; stat?: unknown };
  if (typeof options.expression === 'string') {
    // SEARCH('{Namespace,Dim} Key="value" ...', 'Stat', period)
    const search = /SEARCH\(\s*'\{([^,}]+)[^}]*\}([^']*)'\s*,\s*'([^']+)'/.exec(options.expression);
    if (!search) return undefined;
    const terms = Object.fromEntries([...(search[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    return { kind: 'search', namespace: search[1] as string, terms, stat: search[3] as string, expression: options.expression };
  }
  const [namespace, name, ...pairs] = row.filter((item): item is string => typeof item === 'string');
  if (!namespace || !name) return undefined;
  const dimensions: Record<string, string> = {};
  for (let i = 0; i + 1 < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
  return { kind: 'metric', namespace, name, dimensions, stat: typeof options.stat === 'string' ? options.stat : defaultStat };
}

/** The widgets of every AWS::CloudWatch::Dashboard of the compiled template, in their layout order. */
export function dashboardWidgets(
  template: CfnTemplate,
  pseudo: { region: string; accountId: string; stackName: string },
): DashboardWidget[] {
  const pseudoParameters = {
    'AWS::Region': pseudo.region,
    'AWS::AccountId': pseudo.accountId,
    'AWS::StackName': pseudo.stackName,
    'AWS::Partition': 'aws',
  };
  const widgets: DashboardWidget[] = [];
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::CloudWatch::Dashboard') continue;
    const body = resource.Properties?.DashboardBody;
    const sub = (body as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
    const [text, variables] = Array.isArray(sub) ? sub : [typeof body === 'string' ? body : sub, {}];
    if (typeof text !== 'string') continue;
    const parsed = JSON.parse(substitute(text, (variables ?? {}) as Record<string, unknown>, pseudoParameters)) as {
      widgets?: Array<{ type?: string; x?: number; y?: number; width?: number; height?: number; properties?: Record<string, unknown> }>;
    };
    for (const widget of parsed.widgets ?? []) {
      const properties = widget.properties ?? {};
      const stat = typeof properties.stat === 'string' ? properties.stat : 'Average';
      widgets.push({
        title: typeof properties.title === 'string' ? properties.title : widget.type === 'text' ? '' : 'Untitled',
        x: widget.x ?? 0,
        y: widget.y ?? 0,
        width: widget.width ?? 6,
        height: widget.height ?? 6,
        metrics:
          widget.type === 'metric'
            ? expandRows((properties.metrics as MetricRow[] | undefined) ?? []).flatMap((row) => widgetMetric(row, stat) ?? [])
            : [],
        ...(widget.type === 'text' && typeof properties.markdown === 'string' ? { markdown: properties.markdown } : {}),
        ...(widget.type !== 'text' && widget.type !== 'metric' ? { note: `The ${widget.type} widget is shown on AWS only.` } : {}),
      });
    }
  }
  return widgets.sort((a, b) => a.y - b.y || a.x - b.x);
}

/** The local series of each AWS metric (local/telemetry/metrics.ts), and the label naming one of its series. */
const AWS_SERIES: Record<string, Record<string, string>> = {
  'AWS/ApiGateway': {
    Count: 'aws_apigateway_count',
    '4XXError': 'aws_apigateway_4xx',
    '5XXError': 'aws_apigateway_5xx',
    Latency: 'aws_apigateway_latency_milliseconds',
  },
  'AWS/Lambda': { Invocations: 'aws_lambda_invocations', Errors: 'aws_lambda_errors', Duration: 'aws_lambda_duration_milliseconds' },
  'AWS/SQS': {
    ApproximateNumberOfMessagesVisible: 'aws_sqs_approximate_number_of_messages_visible',
    ApproximateNumberOfMessagesNotVisible: 'aws_sqs_approximate_number_of_messages_not_visible',
  },
};
/** CloudWatch's dimension -> our label (a function's label is its short name). */
const DIMENSION_LABELS: Record<string, { label: string; value?: (v: string) => string }> = {
  FunctionName: { label: 'function_name', value: shortFunctionName },
  QueueName: { label: 'queue_name' },
  service: { label: 'service' },
  stage: { label: 'stage' },
};

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}
interface Family {
  name: string;
  type: string;
  values: Sample[];
}

const promName = (namespace: string, name: string) => `${namespace}_${name}`.replace(/[^a-zA-Z0-9_:]/g, '_');

/** The quantile of a histogram's (cumulative) buckets, interpolated inside its bucket as Prometheus does. */
export function quantile(q: number, buckets: Array<{ le: number; count: number }>): number {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return 0;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (!Number.isFinite(bucket.le)) return lower;
      return lower + ((bucket.le - lower) * (rank - below)) / Math.max(1, bucket.count - below);
    }
    lower = bucket.le;
    below = bucket.count;
  }
  return lower;
}

/** One value of a family's samples (already filtered to one series, or summed over several, as CloudWatch sums an API). */
function statOf(family: Family, samples: Sample[], stat: string): { type: WidgetSeries['type']; value: number } {
  if (family.type !== 'histogram') return { type: family.type === 'counter' ? 'counter' : 'gauge', value: sum(samples) };
  const count = sum(samples.filter((s) => s.metricName?.endsWith('_count')));
  const percentile = /^p(\d+(?:\.\d+)?)$/.exec(stat);
  if (percentile) {
    const byLe = new Map<number, number>();
    for (const s of samples.filter((s) => s.metricName?.endsWith('_bucket')))
      byLe.set(
        Number(s.labels.le === '+Inf' ? Infinity : s.labels.le),
        (byLe.get(Number(s.labels.le === '+Inf' ? Infinity : s.labels.le)) ?? 0) + s.value,
      );
    return {
      type: 'gauge',
      value: quantile(
        Number(percentile[1]) / 100,
        [...byLe].map(([le, c]) => ({ le, count: c })),
      ),
    };
  }
  if (stat === 'Average')
    return { type: 'gauge', value: count === 0 ? 0 : sum(samples.filter((s) => s.metricName?.endsWith('_sum'))) / count };
  return { type: 'counter', value: stat === 'SampleCount' ? count : sum(samples.filter((s) => s.metricName?.endsWith('_sum'))) };
}

const sum = (samples: Sample[]) => samples.reduce((total, s) => total + s.value, 0);
const seriesKey = (labels: Record<string, string | number>) =>
  Object.entries(labels)
    .filter(([key]) => key !== 'le')
    .map(([key, value]) => `${key}=${value}`)
    .sort()
    .join(',');

/** The series one widget metric stands for, from the registry's families: several for a SEARCH (one per match). */
function seriesOf(metric: WidgetMetric, families: Family[]): WidgetSeries[] {
  if (metric.kind === 'metric') {
    const name = AWS_SERIES[metric.namespace]?.[metric.name] ?? promName(metric.namespace, metric.name);
    const family = families.find((f) => f.name === name);
    const label = `${metric.name}${metric.stat.startsWith('p') ? ` ${metric.stat}` : ''}`;
    if (!family) return [{ label: `${label} (no local series)`, type: 'gauge', value: NaN }];
    const samples = family.values.filter((s) =>
      Object.entries(metric.dimensions).every(([dimension, value]) => {
        const mapped = DIMENSION_LABELS[dimension];
        return !mapped || s.labels[mapped.label] === undefined || String(s.labels[mapped.label]) === (mapped.value ?? String)(value);
      }),
    );
    return [{ label, ...statOf(family, samples, metric.stat) }];
  }
  const metricName = metric.terms.MetricName;
  const aws = AWS_SERIES[metric.namespace];
  const candidates = aws
    ? metricName
      ? [{ cloudWatchName: metricName, family: families.find((f) => f.name === aws[metricName]) }]
      : Object.entries(aws).map(([cloudWatchName, name]) => ({ cloudWatchName, family: families.find((f) => f.name === name) }))
    : families
        .filter(
          (f) => f.name.startsWith(promName(metric.namespace, '')) && (!metricName || f.name === promName(metric.namespace, metricName)),
        )
        .map((family) => ({ cloudWatchName: family.name.slice(promName(metric.namespace, '').length), family }));
  const found: WidgetSeries[] = [];
  for (const { cloudWatchName, family } of candidates) {
    if (!family) {
      found.push({ label: `${cloudWatchName} (no local series)`, type: 'gauge', value: NaN });
      continue;
    }
    // A SEARCH term matches a dimension's value partly (CloudWatch matches its tokens): a queue's name by substring; a
    // function's term is a whole name (its short name here) or the stage's prefix, which every local function has.
    const matching = family.values.filter((s) =>
      Object.entries(metric.terms).every(([term, value]) => {
        const mapped = DIMENSION_LABELS[term];
        const actual = mapped ? s.labels[mapped.label] : undefined;
        if (actual === undefined) return true;
        if (term === 'FunctionName') return shortFunctionName(value) === value || shortFunctionName(value) === String(actual);
        return String(actual).includes(value);
      }),
    );
    const groups = new Map<string, Sample[]>();
    for (const s of matching) groups.set(seriesKey(s.labels), [...(groups.get(seriesKey(s.labels)) ?? []), s]);
    // A search for one metric names its series by what they are of (a function, a queue), as CloudWatch's legend does.
    const labelOf = (who: string) => (metricName && who ? who : `${cloudWatchName}${who ? ` ${who}` : ''}`);
    if (groups.size === 0) found.push({ label: `${labelOf('')} (none yet)`, ...statOf(family, [], metric.stat) });
    for (const [key, samples] of groups) {
      const labels = samples[0]?.labels ?? {};
      const who = ['function_name', 'queue_name', 'service', 'resource'].map((l) => labels[l]).filter((v) => v !== undefined);
      found.push({ label: labelOf(who.length > 0 ? who.join(' ') : key), ...statOf(family, samples, metric.stat) });
    }
  }
  return found;
}

/** Every widget with its series' current values. */
export async function dashboardValues(widgets: DashboardWidget[], registry: Registry) {
  const families = (await registry.getMetricsAsJSON()) as unknown as Family[];
  return widgets.map((widget) => ({ ...widget, series: widget.metrics.flatMap((metric) => seriesOf(metric, families)) }));
}
