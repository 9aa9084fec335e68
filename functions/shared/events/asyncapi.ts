/**
 * The AsyncAPI 3 document of the events, built from their contracts (contracts.ts) as the OpenAPI document is
 * from the route contracts: every event's data schema, source and version, the metadata envelope, and who
 * receives what (`subscriptions`). Served by GET /asyncapi.json, written to a file by `npm run asyncapi`,
 * rendered as the docs page's events page (GET /docs/events). docs/events.md explains it in prose.
 *
 * The document has the stage's bus as one channel (every event, a `send` operation per producing context) and
 * each consumer's SQS queue as another (its SQS binding with the DLQ, a `receive` operation per subscription).
 * AsyncAPI has no EventBridge binding, so the rule that feeds each queue is an `x-eventbridge-rule` extension.
 */
import * as z from '../schema.js';
import {
  EVENT_VERSION,
  eventDataSchemas,
  eventSources,
  metadataSchema,
  subscriptions,
  type EventType,
  type OutgoingEvent,
} from './contracts.js';

type Json = Record<string, unknown>;

/** serverless.yml `service`: every resource name starts `<service>-<stage>`. */
export const SERVICE = 'ecommerce';

export interface ConsumerQueue {
  /** The queue's name after `<service>-<stage>-`; its DLQ is the same with `-dlq`. */
  queue: string;
  /** The logical id of the AWS::Events::Rule that feeds it (resources/<context>.yml). */
  rule: string;
}

/**
 * Each subscriber's queue, as resources/<context>.yml declares it. A consumer added to `subscriptions` needs its
 * entry here (the compiler says so); tests/template/asyncapi.test.ts checks every entry against the compiled
 * template, and every bus rule of the template against these, both ways.
 */
export const consumerQueues: Record<keyof typeof subscriptions, ConsumerQueue> = {
  reserveStock: { queue: 'catalogs-inbox', rule: 'CatalogsOrderPlacedRule' },
  settleOrders: { queue: 'orders-inbox', rule: 'OrdersStockAnswersRule' },
  requestPayments: { queue: 'orders-payment-due', rule: 'OrdersPaymentDueRule' },
  processPayments: { queue: 'payments-inbox', rule: 'PaymentsInboxRule' },
};

/**
 * The queues' settings at the stage params' defaults (serverless.yml: sagaQueueVisibilityTimeout,
 * sagaMaxReceiveCount; the local stage shortens the visibility timeout to 12 s). Retention: 4 days, DLQ 14 days.
 */
const QUEUE_SETTINGS = {
  visibilityTimeout: 60,
  maxReceiveCount: 3,
  messageRetentionPeriod: 345_600,
  deadLetterRetentionPeriod: 1_209_600,
} as const;

/** What each event means, for a reader of the document; the contracts are the schema, this is the why. */
const EVENT_SUMMARIES: Partial<Record<EventType, string>> = {
  UserRegistered: 'A user signed up (announced from the users table through its outbox).',
  OrderPlaced: 'An order was stored PENDING (announced from the orders table through its outbox); the catalog reserves its stock.',
  StockReserved: "The catalog reserved the order's stock, at the catalog's unit price.",
  StockRejected: 'The catalog could not reserve the stock: not enough of it, or no such product.',
  OrderConfirmed: 'An order was settled CONFIRMED, with its unit and total price.',
  OrderRejected: 'An order was settled REJECTED, with the reason the catalog gave.',
  ProductCreated: 'An admin added a product to the catalog (POST /catalogs), with its price and initial stock.',
  ProductPriceChanged:
    "An admin changed a product's price (PATCH /catalogs/{productId}): orders reserved from now on pay the new one; orders already reserved keep theirs.",
  StockAdjusted:
    'An admin restocked (delta > 0) or wrote off (delta < 0) a product (POST /catalogs/{productId}/stock), with the stock right after; a repeat with the same Idempotency-Key announces it again with the same eventId.',
  PaymentRequested:
    "An order's grace period is over (or the sweeper found it overdue): orders asks payments to charge its total with the buyer's payment method (a simulator test token).",
  PaymentSucceeded: 'Payments charged the order (once: a repeated request re-announces the recorded charge).',
  PaymentDeclined:
    'Payments could not charge the order (the card was declined or had insufficient funds): orders cancels it with PAYMENT_DECLINED.',
  PaymentRefunded: 'A charged order was cancelled and payments refunded the charge (once).',
  PaymentCancelled:
    "Payments' answer to OrderCancelled when it holds no charge: nothing was charged (a tombstone prevents a later charge) or the charge was declined.",
  OrderPaid: 'An order was charged: PAID, with the time of the charge.',
  OrderCancelled:
    'An order was cancelled (by its buyer, or because its payment was declined). The catalog releases the stock it reserved (or leaves a tombstone, so a late reservation reserves nothing); payments refunds what it charged (or leaves a tombstone, so a late request charges nothing).',
  StockReleased: "The catalog's answer to OrderCancelled: `releasedQty` units went back to stock (0 when nothing had been reserved).",
  OrderShipped: 'An admin shipped a PAID order.',
};

export interface AsyncApiInfo {
  version: string;
  /** The committed example of each event (functions/shared/events/examples/<type>.json), as its producer emits it. */
  examples: Partial<Record<EventType, OutgoingEvent>>;
}

export const eventTypes = (): EventType[] => Object.keys(eventDataSchemas) as EventType[];

/** `ecommerce.orders` -> `orders`: the context that owns the source. */
const contextOf = (source: string): string => source.replace(/^ecommerce\./, '');

const capitalized = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
const camelCase = (name: string) => name.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase());

/** Each event's AsyncAPI Schema (a JSON Schema draft-07 superset): what the code validates with, output side. */
function jsonSchema(schema: z.ZodMiniType): Json {
  const converted = z.toJSONSchema(schema, { target: 'draft-7', io: 'output' }) as Json;
  delete converted.$schema; // AsyncAPI's default schema format already says it
  return converted;
}

/** The channel id of a consumer's queue: `catalogs-inbox` -> `catalogsInbox`. */
const queueChannelId = (consumer: keyof typeof subscriptions): string => camelCase(consumerQueues[consumer].queue);
/** The operation id of a producing context's send: `ecommerce.orders` -> `sendOrdersEvents`. */
const sendOperationId = (source: string): string => `send${capitalized(contextOf(source))}Events`;

const ref = ($ref: string) => ({ $ref });
const queueName = (name: string) => `${SERVICE}-{stage}-${name}`;
const listed = (items: string[]) => (items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`);

/** The bus event as EventBridge builds it from a producer's PutEvents entry, and as a queue's message body carries it. */
function busEventSchema(type: EventType): Json {
  return {
    type: 'object',
    description: `The EventBridge event: \`source\` and \`detail-type\` as the producer put them, \`detail\` the envelope (metadata, data). EventBridge adds the other fields.`,
    properties: {
      version: { type: 'string', description: 'Added by EventBridge' },
      id: { type: 'string', description: "Added by EventBridge: the bus's id of this delivery (not the event's eventId)" },
      'detail-type': { type: 'string', const: type },
      source: { type: 'string', const: eventSources[type] },
      account: { type: 'string', description: 'Added by EventBridge' },
      time: { type: 'string', description: 'Added by EventBridge' },
      region: { type: 'string', description: 'Added by EventBridge' },
      resources: { type: 'array', items: { type: 'string' }, description: 'Added by EventBridge' },
      detail: {
        type: 'object',
        description: 'The envelope every event shares: metadata, then the data of this event type.',
        properties: { metadata: ref('#/components/schemas/EventMetadata'), data: ref(`#/components/schemas/${type}Data`) },
        required: ['metadata', 'data'],
        additionalProperties: false,
      },
    },
    required: ['detail-type', 'source', 'detail'],
  };
}

/** A committed example (`{source, detailType, detail}`) as the message's payload (the bus event, its fields named as on the bus). */
const examplePayload = (example: OutgoingEvent): Json => ({
  'detail-type': example.detailType,
  source: example.source,
  detail: example.detail,
});

function message(type: EventType, example: OutgoingEvent | undefined): Json {
  const source = eventSources[type];
  const consumers = Object.entries(subscriptions)
    .filter(([, accepted]) => (accepted as readonly string[]).includes(type))
    .map(([consumer]) => consumer);
  const received =
    consumers.length === 0
      ? 'No consumer in this service receives it: it is there for anyone who listens on the bus.'
      : `Received by ${listed(consumers.map((consumer) => `\`${consumer}\` (queue \`${queueName(consumerQueues[consumer as keyof typeof subscriptions].queue)}\`)`))}.`;
  return {
    name: type,
    title: type,
    summary: EVENT_SUMMARIES[type] ?? `${type}, published by the ${contextOf(source)} context.`,
    description: `Published by the ${contextOf(source)} context as source \`${source}\`, detail-type \`${type}\`, envelope version ${EVENT_VERSION}. ${received}`,
    contentType: 'application/json',
    correlationId: ref('#/components/correlationIds/correlationId'),
    tags: [{ name: contextOf(source) }],
    payload: ref(`#/components/schemas/${type}Event`),
    ...(example
      ? { examples: [{ name: `${type}Example`, summary: 'As its producer puts it on the bus', payload: examplePayload(example) }] }
      : {}),
  };
}

const DESCRIPTION = [
  'The events of the serverless e-commerce service (the Kafka topics of the original): one EventBridge bus per stage, and an SQS queue with a dead-letter queue per consumer, fed by a rule on the bus.',
  "Every event's `detail` is the envelope `{metadata, data}`: `metadata` is `eventId` (`<id>:<EventType>`, the same for every announcement of one fact), `correlationId` (the request that caused it), `occurredAt` and `version`; `data` is the event type's own schema. Producers build events and consumers parse them through the same schemas (functions/shared/events/contracts.ts), which this document is generated from.",
  "Delivery is at least once, in no particular order: a consumer may see an event twice, so every consumer is idempotent. A consumer acts only on events whose source owns their detail-type. A message that keeps failing moves to its queue's DLQ after `maxReceiveCount` receives; an event the bus cannot deliver goes to that DLQ too.",
  'Names: `{stage}` is the stage (`local`, `dev`, ...); AWS names are `ecommerce-<stage>-...`.',
].join('\n\n');

const STAGE_PARAMETER = { description: 'The stage: `local` under npm start, `dev` and others on AWS.', examples: ['local', 'dev'] };

/** The AsyncAPI 3.1 document of every event of the contracts. */
export function asyncApiDocument(info: AsyncApiInfo): Json {
  const types = eventTypes();
  const sources = [...new Set(types.map((type) => eventSources[type]))].sort();
  const busMessages = Object.fromEntries(types.map((type) => [type, ref(`#/components/messages/${type}`)]));

  const queueChannels = Object.entries(subscriptions).map(([consumer, accepted]) => {
    const { queue, rule } = consumerQueues[consumer as keyof typeof subscriptions];
    const dlq = `${queue}-dlq`;
    const channel = {
      address: queueName(queue),
      title: `${capitalized(contextOf(eventSources[accepted[0] as EventType]))} consumer queue: ${queueName(queue)}`,
      description: `\`${consumer}\`'s queue. The bus rule \`${rule}\` delivers ${listed(accepted.map((type) => `\`${type}\``))} here; a message that fails ${QUEUE_SETTINGS.maxReceiveCount} receives moves to \`${queueName(dlq)}\`.`,
      servers: [ref('#/servers/aws-sqs'), ref('#/servers/local-sqs')],
      parameters: { stage: ref('#/components/parameters/stage') },
      messages: Object.fromEntries(accepted.map((type) => [type, ref(`#/components/messages/${type}`)])),
      bindings: {
        sqs: {
          bindingVersion: '0.2.0',
          queue: {
            name: queueName(queue),
            fifoQueue: false,
            visibilityTimeout: QUEUE_SETTINGS.visibilityTimeout,
            messageRetentionPeriod: QUEUE_SETTINGS.messageRetentionPeriod,
            redrivePolicy: { deadLetterQueue: { name: queueName(dlq) }, maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount },
          },
          deadLetterQueue: { name: queueName(dlq), fifoQueue: false, messageRetentionPeriod: QUEUE_SETTINGS.deadLetterRetentionPeriod },
        },
      },
      'x-eventbridge-rule': {
        resource: rule,
        eventBusName: `${SERVICE}-{stage}`,
        eventPattern: {
          source: [...new Set(accepted.map((type) => eventSources[type]))].sort(),
          'detail-type': [...accepted].sort(),
        },
        target: queueName(queue),
        deadLetterQueue: queueName(dlq),
      },
    };
    return [queueChannelId(consumer as keyof typeof subscriptions), channel] as const;
  });

  const sendOperations = sources.map((source) => {
    const sent = types.filter((type) => eventSources[type] === source);
    return [
      sendOperationId(source),
      {
        action: 'send',
        channel: ref('#/channels/bus'),
        title: `The ${contextOf(source)} context publishes`,
        summary: `${listed(sent)}, as source ${source}`,
        description: `PutEvents on the stage's bus with \`Source: ${source}\`, the event type as \`DetailType\` and the envelope as \`Detail\`.`,
        tags: [{ name: contextOf(source) }],
        messages: sent.map((type) => ref(`#/channels/bus/messages/${type}`)),
      },
    ] as const;
  });

  const receiveOperations = Object.entries(subscriptions).map(([consumer, accepted]) => {
    const channelId = queueChannelId(consumer as keyof typeof subscriptions);
    return [
      consumer,
      {
        action: 'receive',
        channel: ref(`#/channels/${channelId}`),
        title: `${consumer} receives`,
        summary: listed([...accepted]),
        description: `The function \`${consumer}\` reads its queue in batches and reports the messages it failed (a partial batch response): only those are received again.`,
        messages: accepted.map((type) => ref(`#/channels/${channelId}/messages/${type}`)),
      },
    ] as const;
  });

  return {
    asyncapi: '3.1.0',
    id: `urn:${SERVICE}:events`,
    info: {
      title: 'Serverless e-commerce events',
      version: info.version,
      description: DESCRIPTION,
      tags: sources.map((source) => ({ name: contextOf(source), description: `Events of source ${source}` })),
    },
    defaultContentType: 'application/json',
    servers: {
      'aws-bus': {
        host: 'events.{region}.amazonaws.com',
        protocol: 'https',
        title: 'EventBridge on AWS',
        description: "Amazon EventBridge's API (PutEvents) in the stage's region.",
        variables: { region: { default: 'us-east-1', description: "The stage's region (serverless.yml provider.region)" } },
      },
      'aws-sqs': {
        host: 'sqs.{region}.amazonaws.com',
        protocol: 'sqs',
        title: 'SQS on AWS',
        description: "Amazon SQS in the stage's region.",
        variables: { region: { default: 'us-east-1', description: "The stage's region (serverless.yml provider.region)" } },
      },
      'local-bus': {
        host: '127.0.0.1:4010',
        protocol: 'http',
        title: 'The local EventBridge (npm start)',
        description: 'It answers PutEvents and routes by the same rules, compiled from the same template (local/eventbridge/).',
      },
      'local-sqs': {
        host: '127.0.0.1:9324',
        protocol: 'sqs',
        title: 'The local SQS emulator (npm start)',
        description: 'The queues and DLQs of the same template.',
      },
    },
    channels: {
      bus: {
        address: `${SERVICE}-{stage}`,
        title: `The event bus: ${SERVICE}-{stage}`,
        description:
          'One EventBridge bus per stage; every event goes through it. Each consumer owns a queue that a rule on this bus feeds.',
        servers: [ref('#/servers/aws-bus'), ref('#/servers/local-bus')],
        parameters: { stage: ref('#/components/parameters/stage') },
        messages: busMessages,
      },
      ...Object.fromEntries(queueChannels),
    },
    operations: { ...Object.fromEntries(sendOperations), ...Object.fromEntries(receiveOperations) },
    components: {
      schemas: {
        EventMetadata: jsonSchema(metadataSchema),
        ...Object.fromEntries(types.flatMap((type) => [[`${type}Data`, jsonSchema(eventDataSchemas[type])] as const])),
        ...Object.fromEntries(types.map((type) => [`${type}Event`, busEventSchema(type)] as const)),
      },
      messages: Object.fromEntries(types.map((type) => [type, message(type, info.examples[type])])),
      parameters: { stage: STAGE_PARAMETER },
      correlationIds: {
        correlationId: {
          description: 'The id of the request that caused the event, in every event it leads to and in every log line on the way.',
          location: '$message.payload#/detail/metadata/correlationId',
        },
      },
    },
  };
}
