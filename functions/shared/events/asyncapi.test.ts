// The events' AsyncAPI document: accepted by the official parser, self-contained, and equal to the event contracts.
import { readdirSync, readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import * as z from '../schema.js';
import { asyncApiDocument, consumerQueues, eventTypes, SERVICE } from './asyncapi.js';
import { EXAMPLES_DIR, loadEventExamples } from './asyncapi-examples.js';
import { EVENT_VERSION, eventDataSchemas, eventSources, metadataSchema, parseEvent, subscriptions, type EventType } from './contracts.js';

type Json = Record<string, unknown>;
interface Document {
  channels: Record<string, { address: string; messages: Record<string, Json>; bindings?: Json } & Json>;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: Array<{ $ref: string }> }>;
  components: { messages: Record<string, Json>; schemas: Record<string, Json> };
}

const examples = loadEventExamples();
const generated = () => asyncApiDocument({ version: '1.2.3', examples });
const document = generated() as unknown as Document;

/**
 * The parser's warnings (and its information and hints, as strictly) this document may have, by rule code, each with
 * its reason. None so far: a new one fails the test until the document is fixed or the rule is listed here. (The
 * parser's AsyncAPI 3 rules are errors, but for `asyncapi-latest-version`, an information: a newer AsyncAPI version.)
 */
const ALLOWED_WARNINGS: Record<string, string> = {};

/** The code's schema as draft-07 JSON Schema, less `$schema` (the document's schema format says it). */
const withoutDialect = (schema: z.ZodMiniType): Json =>
  Object.fromEntries(Object.entries(z.toJSONSchema(schema, { target: 'draft-7', io: 'output' })).filter(([key]) => key !== '$schema'));

// The parser's diagnostics carry their own copy of the severity enum: compared by value.
const isError = (diagnostic: { severity: unknown }) => Number(diagnostic.severity) === Number(DiagnosticSeverity.Error);
const isWarning = (diagnostic: { severity: unknown }) => Number(diagnostic.severity) > Number(DiagnosticSeverity.Error);

const parse = async (doc: unknown) => (await new Parser().parse(JSON.stringify(doc))).diagnostics;

/** Every `{$ref}` in `node`, with where it is. */
function refsOf(node: unknown, path = '#'): Array<[string, string]> {
  if (Array.isArray(node)) return node.flatMap((item, i) => refsOf(item, `${path}/${i}`));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [[path, value] as [string, string]] : refsOf(value, `${path}/${key}`),
  );
}

/** The node a local `$ref` points at. */
function resolvePointer(doc: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], doc);
}

/** `node` with every local `$ref` replaced by what it points at (the payload schemas hold no cycles). */
function inlined(doc: unknown, node: unknown): unknown {
  if (Array.isArray(node)) return node.map((item) => inlined(doc, item));
  if (typeof node !== 'object' || node === null) return node;
  const { $ref } = node as { $ref?: unknown };
  if (typeof $ref === 'string') return inlined(doc, resolvePointer(doc, $ref));
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, inlined(doc, value)]));
}

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats.default(ajv);
const payloadOf = (type: string) => inlined(document, document.components.messages[type]?.payload) as Json;
const validatorOf = (type: string) => ajv.compile(payloadOf(type));
const examplePayloadOf = (type: string) =>
  ((document.components.messages[type]?.examples as Array<{ payload: Json }> | undefined) ?? [])[0]?.payload;

describe('the AsyncAPI document, by the official parser', () => {
  it('has no error, and no warning (nor information) beyond the allow-list', async () => {
    const diagnostics = await parse(document);
    const errors = diagnostics.filter((d) => isError(d));
    expect(errors.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    const warnings = diagnostics.filter((d) => isWarning(d) && !Object.hasOwn(ALLOWED_WARNINGS, d.code));
    expect(warnings.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
  });

  it('can fail: an operation on a message its channel does not carry, a queue binding without a required field', async () => {
    const foreign = structuredClone(document);
    (foreign.operations.reserveStock as { messages: unknown[] }).messages.push({ $ref: '#/channels/bus/messages/UserRegistered' });
    expect((await parse(foreign)).filter((d) => isError(d))).not.toEqual([]);
    const binding = structuredClone(document) as unknown as { channels: Record<string, { bindings: { sqs: { queue: Json } } }> };
    delete (binding.channels.ordersInbox as { bindings: { sqs: { queue: Json } } }).bindings.sqs.queue.fifoQueue;
    expect((await parse(binding)).filter((d) => isError(d))).not.toEqual([]);
  });

  it('refers only to itself: every $ref is local and points at something', () => {
    const refs = refsOf(document);
    expect(refs.length).toBeGreaterThan(20);
    for (const [where, ref] of refs) {
      expect(ref, where).toMatch(/^#\//);
      expect(resolvePointer(document, ref), `${where}: ${ref}`).toBeDefined();
    }
  });

  it('is JSON as it is served: nothing that JSON would drop or change', () => {
    expect(JSON.parse(JSON.stringify(document))).toEqual(document);
  });
});

describe('the messages are the event contracts', () => {
  it('one message per event type, by name, on the bus', () => {
    expect(Object.keys(document.components.messages).sort()).toEqual(Object.keys(eventDataSchemas).sort());
    expect(Object.keys(document.channels.bus?.messages ?? {}).sort()).toEqual(Object.keys(eventDataSchemas).sort());
    for (const [name, message] of Object.entries(document.components.messages)) expect(message.name).toBe(name);
  });

  it.each(eventTypes())('%s: its source, detail-type, envelope version and data schema', (type) => {
    const payload = payloadOf(type) as {
      properties: Record<string, Json> & { detail: { properties: { metadata: Json; data: Json }; required: string[] } };
    };
    expect(payload.properties.source).toMatchObject({ const: eventSources[type] });
    expect(payload.properties['detail-type']).toMatchObject({ const: type });
    expect(payload.properties.detail.required).toEqual(['metadata', 'data']);
    expect(payload.properties.detail.properties.metadata).toMatchObject({ properties: { version: { const: EVENT_VERSION } } });
    expect(payload.properties.detail.properties.metadata).toEqual(withoutDialect(metadataSchema));
    expect(payload.properties.detail.properties.data).toEqual(withoutDialect(eventDataSchemas[type]));
  });

  it('each producing context sends exactly the events of its source, on the bus', () => {
    const sends = Object.values(document.operations).filter((op) => op.action === 'send');
    expect(sends.map((op) => op.channel.$ref)).toEqual(sends.map(() => '#/channels/bus'));
    const sent = sends.flatMap((op) => op.messages.map((m) => m.$ref.replace('#/channels/bus/messages/', '')));
    expect([...sent].sort()).toEqual(Object.keys(eventDataSchemas).sort());
    for (const op of sends) {
      const types = op.messages.map((m) => m.$ref.replace('#/channels/bus/messages/', '') as EventType);
      expect(new Set(types.map((type) => eventSources[type])).size).toBe(1);
    }
  });
});

describe('the examples', () => {
  it('every event has a committed example, and every example file is an event', () => {
    const files = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json'));
    expect(files.map((file) => file.replace(/\.json$/, '')).sort()).toEqual(Object.keys(eventDataSchemas).sort());
    for (const type of eventTypes()) expect(examplePayloadOf(type), type).toBeDefined();
  });

  it.each(eventTypes())('%s: the example validates against its payload schema, and the code parses it', (type) => {
    const validate = validatorOf(type);
    const example = examplePayloadOf(type) as Json;
    expect(validate(example) ? [] : validate.errors).toEqual([]);
    expect(() => parseEvent(type, example.detail)).not.toThrow();
  });

  it.each(eventTypes())('%s: the example is the committed file, as the bus carries it', (type) => {
    const file = JSON.parse(readFileSync(`${EXAMPLES_DIR}/${type}.json`, 'utf8')) as {
      source: string;
      detailType: string;
      detail: unknown;
    };
    expect(examplePayloadOf(type)).toEqual({ 'detail-type': file.detailType, source: file.source, detail: file.detail });
  });

  const drifts: Array<[string, (event: { source: string; 'detail-type': string; detail: { metadata: Json; data: Json } }) => void]> = [
    ['another source', (event) => (event.source = 'ecommerce.elsewhere')],
    ['another version', (event) => (event.detail.metadata.version = '2')],
    ['an unknown field in data', (event) => (event.detail.data.unknown = 1)],
    ['a field missing from data', (event) => delete event.detail.data[Object.keys(event.detail.data)[0] as string]],
    ['a metadata field missing', (event) => delete event.detail.metadata.correlationId],
  ];
  it.each(drifts)('a payload with %s is refused by the schema, as by the code', (_name, drift) => {
    for (const type of eventTypes()) {
      const event = structuredClone(examplePayloadOf(type)) as Parameters<(typeof drifts)[number][1]>[0];
      drift(event);
      expect(validatorOf(type)(event), type).toBe(false);
    }
  });
});

describe('the prose', () => {
  it('docs/events.md names every event of the contracts, and every queue consumer', () => {
    const prose = readFileSync('docs/events.md', 'utf8');
    for (const type of eventTypes()) expect(prose, type).toContain(`| \`${type}\` |`);
    for (const consumer of Object.keys(subscriptions)) expect(prose, consumer).toContain(`\`${consumer}\``);
  });
});

describe('the queues are the subscriptions', () => {
  const receives = Object.entries(document.operations).filter(([, op]) => op.action === 'receive');

  it('one receive operation per subscribing function, on exactly the events it accepts, both ways', () => {
    const described = Object.fromEntries(
      receives.map(([id, op]) => [id, op.messages.map((m) => m.$ref.replace(/^.*\/messages\//, '')).sort()]),
    );
    const contracted = Object.fromEntries(Object.entries(subscriptions).map(([id, accepted]) => [id, [...accepted].sort()]));
    expect(described).toEqual(contracted);
  });

  it.each(Object.keys(subscriptions))(
    "%s: its channel is its queue, with the DLQ, fed by a bus rule on the events' sources",
    (consumer) => {
      const op = document.operations[consumer];
      const channel = resolvePointer(document, op?.channel.$ref ?? '') as {
        address: string;
        messages: Record<string, unknown>;
        bindings: { sqs: { queue: Json & { redrivePolicy: { deadLetterQueue: { name: string } } }; deadLetterQueue: Json } };
        'x-eventbridge-rule': { eventPattern: { source: string[]; 'detail-type': string[] }; target: string; deadLetterQueue: string };
      };
      const accepted = [...subscriptions[consumer as keyof typeof subscriptions]] as EventType[];
      const queue = `${SERVICE}-{stage}-${consumerQueues[consumer as keyof typeof subscriptions].queue}`;
      expect(channel.address).toBe(queue);
      expect(Object.keys(channel.messages).sort()).toEqual([...accepted].sort());
      expect(channel.bindings.sqs.queue.name).toBe(queue);
      expect(channel.bindings.sqs.queue.redrivePolicy.deadLetterQueue.name).toBe(`${queue}-dlq`);
      expect(channel.bindings.sqs.deadLetterQueue.name).toBe(`${queue}-dlq`);
      expect(channel['x-eventbridge-rule']).toMatchObject({ target: queue, deadLetterQueue: `${queue}-dlq` });
      expect(channel['x-eventbridge-rule'].eventPattern['detail-type']).toEqual([...accepted].sort());
      expect(channel['x-eventbridge-rule'].eventPattern.source).toEqual([...new Set(accepted.map((type) => eventSources[type]))].sort());
    },
  );
});
