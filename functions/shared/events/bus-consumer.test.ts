// busEventConsumer's edges: a batch where every message fails, and a batch mixing a contract violation, a
// handler error and good messages. Partial batch responses must name exactly the failed messages (they return
// to the queue, then its DLQ), never the handled ones, and each failure is counted under its own metric.
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { lambdaContext } from '../../../tests/support/lambda.js';
import { logger, metrics } from '../observability.js';
import { busEventConsumer, type ConsumedEvent } from './bus-consumer.js';
import { EventContractError } from './contracts.js';
import { asSqsRecord, exampleEvent } from './examples/examples.js';

/** An OrderPlaced message for `orderId`, as the queue delivers it. */
function orderPlaced(messageId: string, orderId = messageId): SQSRecord {
  const event = exampleEvent('OrderPlaced');
  return asSqsRecord(
    {
      ...event,
      detail: {
        metadata: { ...event.detail.metadata, eventId: `${orderId}:OrderPlaced` },
        data: { ...event.detail.data, orderId },
      },
    },
    messageId,
  );
}

/** The same message with its detail breaking the contract (qty 0). */
function violating(messageId: string): SQSRecord {
  const record = orderPlaced(messageId);
  const body = JSON.parse(record.body) as { detail: { data: { qty: number } } };
  body.detail.data.qty = 0;
  return { ...record, body: JSON.stringify(body) };
}

const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const failedIds = (response: SQSBatchResponse) => response.batchItemFailures.map((failure) => failure.itemIdentifier).sort();

let addMetric: MockInstance<typeof metrics.addMetric>;
let logError: MockInstance<typeof logger.error>;
beforeEach(() => {
  addMetric = vi.spyOn(metrics, 'addMetric');
  logError = vi.spyOn(logger, 'error');
});
afterEach(() => vi.restoreAllMocks());

/** How many times each failure metric was added in this test. */
function failureMetrics() {
  const counts = { contractViolations: 0, consumerFailures: 0 };
  for (const [name, unit, value] of addMetric.mock.calls) {
    if (name === 'contractViolations' || name === 'consumerFailures') {
      expect([unit, value]).toEqual(['Count', 1]);
      counts[name] += 1;
    }
  }
  return counts;
}

describe.each([
  ['in parallel (the default)', {}],
  ['one at a time', { processInParallel: false }],
])('busEventConsumer, %s', (_mode, options) => {
  it('when every message fails, reports every one as a batch item failure (and does not throw the batch away)', async () => {
    const handled: string[] = [];
    const handler = busEventConsumer(
      ['OrderPlaced'],
      async (event) => {
        handled.push(event.envelope.data.orderId);
        throw new Error(`downstream refused ${event.envelope.data.orderId}`);
      },
      options,
    );
    const response = await handler(batch(orderPlaced('m-1'), orderPlaced('m-2'), orderPlaced('m-3')), lambdaContext);
    expect(failedIds(response)).toEqual(['m-1', 'm-2', 'm-3']);
    expect(handled.sort()).toEqual(['m-1', 'm-2', 'm-3']);
    expect(failureMetrics()).toEqual({ contractViolations: 0, consumerFailures: 3 });
  });

  it('when every message breaks the contract, reports every one, and the handler never sees them', async () => {
    const handle = vi.fn(async () => {});
    const handler = busEventConsumer(['OrderPlaced'], handle, options);
    const notJson = { ...orderPlaced('m-3'), body: '{not json' };
    const otherType = asSqsRecord(exampleEvent('StockReserved'), 'm-4');
    const response = await handler(batch(violating('m-1'), violating('m-2'), notJson, otherType), lambdaContext);
    expect(failedIds(response)).toEqual(['m-1', 'm-2', 'm-3', 'm-4']);
    expect(handle).not.toHaveBeenCalled();
    expect(failureMetrics()).toEqual({ contractViolations: 4, consumerFailures: 0 });
  });

  it('a contract violation, a handler error and good messages in one batch: exactly the two bad ones fail, each counted as what it is', async () => {
    const handled: ConsumedEvent<'OrderPlaced'>[] = [];
    const handler = busEventConsumer(
      ['OrderPlaced'],
      async (event) => {
        if (event.envelope.data.orderId === 'order-boom') throw new Error('the table is unavailable');
        handled.push(event);
      },
      options,
    );
    const response = await handler(
      batch(
        orderPlaced('m-good-1', 'order-1'),
        violating('m-violation'),
        orderPlaced('m-error', 'order-boom'),
        orderPlaced('m-good-2', 'order-2'),
      ),
      lambdaContext,
    );
    expect(failedIds(response)).toEqual(['m-error', 'm-violation']);
    // the good messages were handled, once each, parsed (type, envelope, their own message id)
    expect(handled.map((event) => [event.messageId, event.type, event.envelope.data.orderId]).sort()).toEqual([
      ['m-good-1', 'OrderPlaced', 'order-1'],
      ['m-good-2', 'OrderPlaced', 'order-2'],
    ]);
    expect(failureMetrics()).toEqual({ contractViolations: 1, consumerFailures: 1 });
    // each failure is logged with what identifies it; the violation has no parsed event to name
    const logged = logError.mock.calls.map(([, fields]) => fields as Record<string, unknown>);
    expect(logged).toHaveLength(2);
    expect(logged.find((fields) => fields.messageId === 'm-violation')).toMatchObject({
      detailType: undefined,
      eventId: undefined,
      error: expect.any(EventContractError),
    });
    expect(logged.find((fields) => fields.messageId === 'm-error')).toMatchObject({
      detailType: 'OrderPlaced',
      eventId: 'order-boom:OrderPlaced',
      receiveCount: '1',
      error: expect.objectContaining({ message: 'the table is unavailable' }),
    });
  });

  it('control: a batch of good messages reports no failure and counts none', async () => {
    const handle = vi.fn(async () => {});
    const handler = busEventConsumer(['OrderPlaced'], handle, options);
    const response = await handler(batch(orderPlaced('m-1'), orderPlaced('m-2')), lambdaContext);
    expect(response.batchItemFailures).toEqual([]);
    expect(handle).toHaveBeenCalledTimes(2);
    expect(failureMetrics()).toEqual({ contractViolations: 0, consumerFailures: 0 });
  });
});
