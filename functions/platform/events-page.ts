/**
 * GET /docs/events: the events as a page, rendered here from the AsyncAPI document (functions/shared/events/asyncapi.ts).
 * Plain HTML and one inline style sheet, no script at all: the docs pages' CSP holds (page-headers.ts).
 */
import { escapeHtml } from './page-headers.js';

type Json = Record<string, unknown>;

interface Schema {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
}

interface Message {
  name: string;
  summary?: string;
  description?: string;
  payload: Schema;
  examples?: Array<{ payload: Json }>;
}

interface Channel {
  address: string;
  title?: string;
  description?: string;
  messages: Record<string, { $ref: string }>;
  bindings?: {
    sqs?: { queue: { visibilityTimeout?: number; redrivePolicy?: { maxReceiveCount?: number } }; deadLetterQueue?: { name: string } };
  };
  'x-eventbridge-rule'?: { resource: string; eventPattern: Record<string, string[]> };
}

interface Operation {
  action: 'send' | 'receive';
  title?: string;
  description?: string;
  channel: { $ref: string };
  messages: Array<{ $ref: string }>;
}

interface Document {
  asyncapi: string;
  info: { title: string; version: string; description?: string };
  channels: Record<string, Channel>;
  operations: Record<string, Operation>;
  components: { messages: Record<string, Message>; schemas: Record<string, Schema> };
}

/** Escaped text with `code` spans, as the document's descriptions write them. */
const inline = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
const paragraphs = (text = '') =>
  text
    .split(/\n\n+/)
    .filter((part) => part.trim() !== '')
    .map((part) => `<p>${inline(part)}</p>`)
    .join('\n');

const lastPart = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);
const eventLink = (name: string) => `<a href="#event-${escapeHtml(name)}">${escapeHtml(name)}</a>`;

function resolved(document: Document, schema: Schema): Schema {
  return schema.$ref ? resolved(document, document.components.schemas[lastPart(schema.$ref)] ?? {}) : schema;
}

/** What a field may hold, in words: its type and its bounds. */
function typeOf(schema: Schema): string {
  if (schema.const !== undefined) return `<code>${escapeHtml(JSON.stringify(schema.const))}</code>`;
  if (schema.enum) return `one of ${schema.enum.map((value) => `<code>${escapeHtml(String(value))}</code>`).join(', ')}`;
  const bounds = [
    schema.format ? escapeHtml(schema.format) : '',
    schema.minLength !== undefined || schema.maxLength !== undefined
      ? `${schema.minLength ?? 0}-${schema.maxLength ?? '…'} characters`
      : '',
    schema.minimum !== undefined || schema.maximum !== undefined ? `${schema.minimum ?? '…'} to ${schema.maximum ?? '…'}` : '',
  ].filter((part) => part !== '');
  return `${escapeHtml(schema.type ?? 'any')}${bounds.length > 0 ? ` (${bounds.join('; ')})` : ''}`;
}

function fieldsTable(document: Document, schema: Schema): string {
  const object = resolved(document, schema);
  const rows = Object.entries(object.properties ?? {}).map(([name, property]) => {
    const field = resolved(document, property);
    const required = (object.required ?? []).includes(name) ? 'yes' : 'no';
    return `<tr><td><code>${escapeHtml(name)}</code></td><td>${typeOf(field)}</td><td>${required}</td></tr>`;
  });
  return `<table class="fields"><thead><tr><th>Field</th><th>Type</th><th>Required</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function channelRow(id: string, channel: Channel): string {
  const sqs = channel.bindings?.sqs;
  const rule = channel['x-eventbridge-rule'];
  const delivery = [
    rule
      ? `Fed by the bus rule <code>${escapeHtml(rule.resource)}</code> (${Object.entries(rule.eventPattern)
          .map(([key, values]) => `${escapeHtml(key)} ${values.map((value) => `<code>${escapeHtml(value)}</code>`).join(', ')}`)
          .join('; ')})`
      : '',
    sqs?.deadLetterQueue
      ? `DLQ <code>${escapeHtml(sqs.deadLetterQueue.name)}</code> after ${sqs.queue.redrivePolicy?.maxReceiveCount ?? '?'} receives; visibility timeout ${sqs.queue.visibilityTimeout ?? '?'} s`
      : '',
    rule || sqs ? '' : inline(channel.description ?? ''),
  ].filter((part) => part !== '');
  return `<tr id="channel-${escapeHtml(id)}"><td>${escapeHtml(channel.title ?? id)}</td><td><code>${escapeHtml(channel.address)}</code></td><td>${Object.keys(
    channel.messages,
  )
    .map(eventLink)
    .join(', ')}</td><td>${delivery.join('. ')}</td></tr>`;
}

function operationRow(id: string, operation: Operation): string {
  const channel = lastPart(operation.channel.$ref);
  return `<tr><td><code>${escapeHtml(id)}</code></td><td>${operation.action}</td><td><a href="#channel-${escapeHtml(channel)}">${escapeHtml(
    channel,
  )}</a></td><td>${operation.messages.map((message) => eventLink(lastPart(message.$ref))).join(', ')}</td><td>${inline(operation.description ?? '')}</td></tr>`;
}

function eventSection(document: Document, message: Message): string {
  const payload = resolved(document, message.payload);
  const detail = resolved(document, payload.properties?.detail ?? {});
  const example = message.examples?.[0]?.payload;
  return [
    `<section class="event" id="event-${escapeHtml(message.name)}">`,
    `<h3>${escapeHtml(message.name)}</h3>`,
    message.summary ? `<p class="summary">${inline(message.summary)}</p>` : '',
    paragraphs(message.description),
    `<h4>Data</h4>`,
    fieldsTable(document, detail.properties?.data ?? {}),
    example ? `<h4>Example</h4><pre><code>${escapeHtml(JSON.stringify(example, null, 2))}</code></pre>` : '',
    `</section>`,
  ].join('\n');
}

const STYLE = `
body { margin: 0; font-family: sans-serif; font-size: 14px; color: #3b4151; background: #fafafa; }
header, main { box-sizing: border-box; max-width: 1460px; margin: 0 auto; padding: 16px 20px; }
h1 small { font-size: 14px; font-weight: normal; color: #6b7280; }
table { border-collapse: collapse; margin: 8px 0 16px; background: #fff; }
th, td { border: 1px solid #d9dde3; padding: 6px 10px; text-align: left; vertical-align: top; }
code, pre { font-family: monospace; }
pre { background: #333; color: #fff; padding: 12px; overflow-x: auto; }
.event { border-top: 1px solid #d9dde3; padding-top: 8px; }
.summary { font-weight: bold; }
`;

/** The page for `document`, its links under `basePath` (`/` locally, `/<stage>/` on API Gateway). */
export function eventsPage(document: Document | Json, basePath: string): string {
  const doc = document as Document;
  const base = escapeHtml(basePath);
  const metadata = doc.components.schemas.EventMetadata ?? {};
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>Events: ${escapeHtml(doc.info.title)}</title>
<link rel="icon" href="data:," />
<style>${STYLE}</style>
</head>
<body>
<header>
<nav><a href="${base}docs">The HTTP API (docs page)</a> · <a href="${base}asyncapi.json">asyncapi.json</a> (AsyncAPI ${escapeHtml(doc.asyncapi)}) · <a href="${base}openapi.json">openapi.json</a></nav>
<h1>${escapeHtml(doc.info.title)} <small>version ${escapeHtml(doc.info.version)}</small></h1>
${paragraphs(doc.info.description)}
</header>
<main>
<section id="channels">
<h2>Channels</h2>
<table><thead><tr><th>Channel</th><th>Address</th><th>Messages</th><th>Delivery</th></tr></thead><tbody>
${Object.entries(doc.channels)
  .map(([id, channel]) => channelRow(id, channel))
  .join('\n')}
</tbody></table>
</section>
<section id="operations">
<h2>Who sends, who receives</h2>
<table><thead><tr><th>Operation</th><th>Action</th><th>Channel</th><th>Messages</th><th>How</th></tr></thead><tbody>
${Object.entries(doc.operations)
  .map(([id, operation]) => operationRow(id, operation))
  .join('\n')}
</tbody></table>
</section>
<section id="events">
<h2>Events</h2>
<p>Every event's <code>detail</code> is <code>{"metadata": ..., "data": ...}</code>. The metadata, the same for every event:</p>
${fieldsTable(doc, metadata)}
${Object.values(doc.components.messages)
  .map((message) => eventSection(doc, message))
  .join('\n')}
</section>
</main>
</body>
</html>
`;
}
